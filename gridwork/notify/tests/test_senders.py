"""Email and SMS through the configured senders; feedback to the resident who reported."""

from __future__ import annotations

import logging
from typing import Any

from gridwork.accounts.models import User
from gridwork.cases.tests.helpers import do, report
from gridwork.core.models import AuditEvent
from gridwork.notify import senders as real_senders
from gridwork.notify.models import Notification

STAFF_PHONE = "13812345678"
RESIDENT_PHONE = "13987654321"


def _contacts(d: Any, key: str, email: str = "", phone: str = "") -> None:
    User.objects.filter(pk=d.users[key].pk).update(email=email, phone=phone)


def test_email_and_sms_for_a_notification(cd: Any, commits: Any, captured: Any) -> None:
    _contacts(cd, "centre_a", email="centre@example.org", phone=STAFF_PHONE)
    _contacts(cd, "department", email="dept@example.org")  # no phone: email only
    person = cd.people["110112001001001"]
    with commits():
        case = report(cd, "worker_a1", "E0104", person_id=person.pk)
    note = Notification.objects.get(case=case)
    assert [("centre@example.org", note.title, note.body)] == captured.EMAILS
    assert [to for to, _body in captured.TEXTS] == [STAFF_PHONE]
    assert case.tracking_code in captured.TEXTS[0][1]
    note.refresh_from_db()
    assert note.emailed_at is not None and note.texted_at is not None
    with commits():
        do(cd, "centre_a", case, "accept")
        do(cd, "centre_a", case, "dispatch")
    assert [to for to, _s, _b in captured.EMAILS] == ["centre@example.org", "dept@example.org"]
    assert len(captured.TEXTS) == 1
    sent = " ".join(" ".join(item) for item in captured.EMAILS) + " ".join(
        body for _to, body in captured.TEXTS
    )
    for secret in (person.phone, person.id_number, person.name):
        assert secret not in sent


def test_no_channel_no_sending(cd: Any, commits: Any, captured: Any) -> None:
    with commits():
        report(cd, "worker_a1", "E0104")
    assert Notification.objects.count() == 1
    assert captured.EMAILS == [] and captured.TEXTS == []


def _resident_case(d: Any) -> Any:
    return report(
        d,
        None,
        "E0104",
        source="resident",
        reporter_name="张三",
        reporter_phone=RESIDENT_PHONE,
        title="路灯坏了",
    )


def test_resident_hears_at_acceptance_and_at_closing(cd: Any, commits: Any, captured: Any) -> None:
    with commits():
        case = _resident_case(cd)
    assert captured.TEXTS == []  # nothing at the report itself: the page gave the tracking code
    with commits():
        do(cd, "centre_a", case, "accept")
    link = f"https://grid.example.org/track/{case.tracking_code}/"
    assert len(captured.TEXTS) == 1
    to, body = captured.TEXTS[0]
    assert to == RESIDENT_PHONE and case.tracking_code in body and link in body
    assert RESIDENT_PHONE not in body and "张三" not in body
    with commits():
        do(cd, "centre_a", case, "dispatch")
        do(cd, "department", case, "handle")
        do(cd, "worker_a1", case, "verify_pass")
    assert len(captured.TEXTS) == 1  # the steps between say nothing to the resident
    with commits():
        case = do(cd, "centre_a", case, "feedback", note="已修复")
    assert case.status == "closed"
    assert len(captured.TEXTS) == 2
    to, body = captured.TEXTS[1]
    assert to == RESIDENT_PHONE and link in body and RESIDENT_PHONE not in body
    # The audit log records that the resident was told, never the number.
    logged = AuditEvent.objects.filter(object_id=str(case.pk), detail__notify="resident_sms")
    assert sorted(e.detail["message"] for e in logged) == ["accepted", "closed"]
    assert all(RESIDENT_PHONE not in str(e.detail) for e in logged)


def test_the_console_senders_mask_numbers_and_addresses(caplog: Any) -> None:
    with caplog.at_level(logging.INFO, logger="gridwork.notify"):
        real_senders.console_sms(RESIDENT_PHONE, "案件 ABC 已受理")
        real_senders.console_email("zhang.san@example.org", "subject", "body")
    text = caplog.text
    assert "139****4321" in text and RESIDENT_PHONE not in text
    assert "z***@example.org" in text and "zhang.san" not in text


def test_resident_sms_through_the_default_sender_is_masked_in_the_log(
    cd: Any, commits: Any, settings: Any, caplog: Any
) -> None:
    settings.NOTIFY_SMS_SENDER = "gridwork.notify.senders.console_sms"
    with commits():
        case = _resident_case(cd)
    with caplog.at_level(logging.INFO, logger="gridwork.notify"), commits():
        do(cd, "centre_a", case, "accept")
    assert case.tracking_code in caplog.text
    assert RESIDENT_PHONE not in caplog.text and "139****4321" in caplog.text

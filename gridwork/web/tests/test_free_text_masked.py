"""An ID number or a phone typed into a case's free text is masked on the case pages, in the API
and in the public answers for everyone who has not revealed it; the anonymous Open311 board never
publishes the text at all. A reveal is audited and lasts for the one answer."""

from __future__ import annotations

import pytest

from gridwork.api.tests.conftest import API, token_client
from gridwork.cases.tests.helpers import do, report
from gridwork.conftest import District
from gridwork.core.models import AuditEvent
from gridwork.web.tests.helpers import html

pytestmark = pytest.mark.django_db

ID_NUMBER = "110112196005010012"
PHONE = "13912345678"
TEXT = f"邻居张三 身份证{ID_NUMBER} 电话{PHONE}"


def _case(cd: District):  # type: ignore[no-untyped-def]
    return report(cd, "worker_a1", title=f"楼道堆物 {PHONE}", description=TEXT, address=f"示例路1号 {PHONE}")


def _leaks(text: str) -> bool:
    return ID_NUMBER in text or PHONE in text or "19600501" in text


def test_case_pages_mask_numbers_in_free_text(cd: District) -> None:
    case = _case(cd)
    do(cd, "centre_a", case, "reject", note=f"请联系 {PHONE}")
    for path in ("/cases/?tab=area", "/cases/?tab=mine", f"/cases/{case.pk}/"):
        page = html(cd.client("centre_a").get(path))
        assert not _leaks(page), path
    assert "139****5678" in html(cd.client("centre_a").get(f"/cases/{case.pk}/"))


def test_the_api_masks_numbers_in_free_text(cd: District) -> None:
    case = _case(cd)
    client = token_client(cd.users["street_a"])
    for path in (f"{API}/cases/{case.pk}", f"{API}/cases?queue=area", f"{API}/cases/{case.pk}/timeline"):
        response = client.get(path)
        assert response.status_code == 200 and not _leaks(response.content.decode()), path


def test_public_answers_never_show_the_numbers(cd: District) -> None:
    case = _case(cd)
    do(cd, "centre_a", case, "reject", note=f"请拨打 {PHONE} 联系我们")
    from django.test import Client

    for path in (f"/track/{case.tracking_code}/", f"{API}/public/cases/{case.tracking_code}"):
        response = Client().get(path)
        assert response.status_code == 200 and not _leaks(response.content.decode()), path


def test_a_reveal_shows_the_text_for_one_answer_and_is_audited(cd: District) -> None:
    case = _case(cd)
    client = cd.client("worker_a1")
    refused = client.post(f"/cases/{case.pk}/reveal/", {"reason": "x"})
    assert refused.status_code == 400 and not _leaks(html(refused))
    shown = client.post(f"/cases/{case.pk}/reveal/", {"reason": "核实上报人联系方式"})
    assert shown.status_code == 200 and ID_NUMBER in html(shown) and shown["Cache-Control"] == "no-store"
    assert (
        AuditEvent.objects.filter(action="reveal", object_id=str(case.pk), object_type="cases.case").count()
        == 1
    )
    assert not _leaks(html(client.get(f"/cases/{case.pk}/")))  # the next view masks again


def test_reveal_ladder(cd: District) -> None:
    case = _case(cd)
    reason = {"reason": "核实上报人联系方式"}
    assert cd.client(None).post(f"/cases/{case.pk}/reveal/", reason).status_code == 302  # to the login
    assert cd.client("nobody").post(f"/cases/{case.pk}/reveal/", reason).status_code == 403
    assert cd.client("worker_b1").post(f"/cases/{case.pk}/reveal/", reason).status_code == 404
    assert cd.client("worker_a1").post(f"/cases/{case.pk}/reveal/", reason).status_code == 200
    api = cd.client("worker_a1")  # a session that verified its second factor: tokens never have
    revealed = api.post(f"{API}/cases/{case.pk}/reveal", reason, content_type="application/json")
    assert revealed.status_code == 200 and revealed.json()["description"] == TEXT
    other = cd.client("worker_b1")
    assert (
        other.post(f"{API}/cases/{case.pk}/reveal", reason, content_type="application/json").status_code
        == 404
    )

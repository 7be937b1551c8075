"""Each route of a case reaches the right inboxes, and no others."""

from __future__ import annotations

from typing import Any

from gridwork.cases.tests.helpers import do, report
from gridwork.notify.models import Notification
from gridwork.notify.services import record_case_event

A, V, E = "assigned", "verify", "emergency"


def test_coordination_route(cd: Any, commits: Any, inbox: Any) -> None:
    with commits():
        case = report(cd, "worker_a1", "E0104")
    # A new case reaches its community's acceptance centre; the reporter hears nothing of their own act.
    assert inbox.new() == [("centre_a", A)]
    with commits():
        do(cd, "centre_a", case, "accept")
    assert inbox.new() == []  # the centre keeps it
    with commits():
        do(cd, "centre_a", case, "dispatch")
    # Only the handlers of the department it went to; not another department's handler.
    assert inbox.new() == [("department", A)]
    with commits():
        do(cd, "department", case, "handle")
    # Verification: the workers of the case's grid only (not the other grid's, not the grid member).
    assert inbox.new() == [("worker_a1", V)]
    with commits():
        do(cd, "worker_a1", case, "verify_fail")
    assert inbox.new() == [("department", A)]  # rework goes back to the same department
    with commits():
        do(cd, "department", case, "handle")
        do(cd, "worker_a1", case, "verify_pass")
    assert inbox.new() == [("centre_a", A), ("worker_a1", V)]
    with commits():
        case = do(cd, "centre_a", case, "feedback")
    assert case.status == "closed"
    assert inbox.new() == []  # closing notifies no staff


def test_emergency_reaches_street_and_community_at_once(cd: Any, commits: Any, inbox: Any) -> None:
    with commits():
        case = report(cd, "worker_a1", "E0401")
    assert case.status == "emergency"
    assert inbox.new() == [("centre_a", E), ("street_a", E)]
    with commits():
        do(cd, "centre_a", case, "update")
    assert inbox.new() == []


def test_escalation_notifies_the_holder_and_the_level_above(cd: Any, commits: Any, inbox: Any) -> None:
    with commits():
        case = report(cd, "worker_a1", "E0104")
        do(cd, "centre_a", case, "accept")
    inbox.new()
    with commits():
        do(cd, "centre_a", case, "escalate")
    assert inbox.new() == [("street_a", "escalated")]  # the centre acted: it is not told of its own act


def test_routine_on_the_spot_notifies_nobody(cd: Any, commits: Any, inbox: Any) -> None:
    with commits():
        case = report(cd, "worker_a1", "E0101")
        do(cd, "worker_a1", case, "resolve")
    assert inbox.new() == []


def test_an_event_is_recorded_once(cd: Any, commits: Any) -> None:
    with commits():
        case = report(cd, "worker_a1", "E0104")
    event = case.events.get()
    record_case_event(case.pk, event.pk)  # a repeated signal adds nothing
    assert Notification.objects.filter(case=case).count() == 1
    record_case_event(case.pk + 1000, event.pk)  # a mismatched pair is ignored
    assert Notification.objects.count() == 1


def test_notification_text_names_no_person(cd: Any, commits: Any) -> None:
    with commits():
        case = report(
            cd, "worker_a1", "E0104", person_id=cd.people["110112001001001"].pk, title="测试1家门口"
        )
    note = Notification.objects.get(case=case)
    person = cd.people["110112001001001"]
    assert case.tracking_code in note.title and "E0104" in note.body
    for secret in (person.name, person.id_number, person.phone, "测试1家门口"):
        assert secret not in note.title + note.body

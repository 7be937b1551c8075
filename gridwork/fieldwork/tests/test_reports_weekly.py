"""The weekly report: its figures against the records, the deadline, late and missing, submitting
twice, return and resubmit, forwarding to the counterparts, and its history."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command

from gridwork.conftest import GRID_A1, GRID_A2, GRID_B1, GRID_B2
from gridwork.core.errors import Conflict, NotFound
from gridwork.fieldwork import reports_services as services
from gridwork.fieldwork.reports_models import LapseKind, ReportLapse, ReportStatus
from gridwork.fieldwork.tests.reports_helpers import WEEK, act, add_civil_handler, at, report_case
from gridwork.notify.models import Notification
from gridwork.notify.tasks import run_overdue_check

pytestmark = pytest.mark.django_db

NEXT_MONDAY = WEEK + dt.timedelta(days=7)


def _records(d):  # noqa: ANN001, ANN202
    """Cases of grid A1 in the week, one before it, one in another grid."""
    report_case(d, GRID_A1, "S0201", at(WEEK, 9))  # subsistence allowance
    report_case(d, GRID_A1, "S0101", at(WEEK + dt.timedelta(days=1), 10))  # stability
    dispute = report_case(d, GRID_A1, "S0104", at(WEEK + dt.timedelta(days=2), 10))  # stability, routine
    act(d, "worker_a1", dispute, "resolve", at(WEEK + dt.timedelta(days=2), 15), note="调解完毕")
    report_case(d, GRID_A1, "E0104", at(WEEK + dt.timedelta(days=6), 23, 30))  # civilisation, Sunday night
    report_case(d, GRID_A1, "S0101", at(WEEK - dt.timedelta(days=1), 18))  # the Sunday before: not counted
    report_case(d, GRID_A1, "S0101", at(NEXT_MONDAY, 0, 10))  # the Monday after: not counted
    report_case(d, GRID_A2, "S0201", at(WEEK, 11), who="worker_a2")  # another grid


def test_figures_come_from_the_weeks_records(district):
    _records(district)
    figures = services.assemble(GRID_A1, WEEK)
    assert figures["subsistence"] == {"cases_reported": 1}
    assert figures["stability"] == {"cases_reported": 2, "cases_closed": 1}
    assert figures["civilisation"] == {"cases_reported": 1}
    assert "family_planning" not in figures
    assert figures[""]["meetings"] == 0
    assert services.assemble(GRID_A2, WEEK)["subsistence"] == {"cases_reported": 1}


def test_submitted_figures_are_frozen_and_a_draft_follows_the_records(district, time_machine):
    _records(district)
    time_machine.move_to(at(NEXT_MONDAY, 9), tick=False)
    report = services.open_report(district.users["worker_a1"], GRID_A1, WEEK)
    assert services.current_figures(report)["stability"]["cases_reported"] == 2
    report_case(
        district, GRID_A1, "S0101", at(WEEK + dt.timedelta(days=3), 9)
    )  # entered late, still that week
    assert services.current_figures(report)["stability"]["cases_reported"] == 3
    services.submit_report(district.users["worker_a1"], report.pk)
    report_case(district, GRID_A1, "S0101", at(WEEK + dt.timedelta(days=4), 9))
    report.refresh_from_db()
    frozen = services.current_figures(report)
    assert frozen["stability"] == {"cases_reported": 3, "cases_closed": 1}
    assert frozen["family_planning"] == {}
    assert report.lines.get(line__code="subsistence").figures == {"cases_reported": 1}


def test_deadline_is_monday_noon_of_the_next_week_in_the_districts_time(settings):
    assert services.deadline_of(WEEK) == at(NEXT_MONDAY, 12)
    settings.FIELDWORK_REPORT_DUE_DAYS, settings.FIELDWORK_REPORT_DUE_TIME = 8, "17:30"
    assert services.deadline_of(WEEK) == at(NEXT_MONDAY + dt.timedelta(days=1), 17, 30)


def test_on_time_is_not_late_and_after_the_deadline_is_recorded_late(district, time_machine):
    time_machine.move_to(at(NEXT_MONDAY, 11, 59), tick=False)
    a1 = services.open_report(district.users["worker_a1"], GRID_A1, WEEK)
    services.submit_report(district.users["worker_a1"], a1.pk)
    time_machine.move_to(at(NEXT_MONDAY, 12, 1), tick=False)
    a2 = services.open_report(district.users["worker_a2"], GRID_A2, WEEK)
    services.submit_report(district.users["worker_a2"], a2.pk)
    a1.refresh_from_db()
    a2.refresh_from_db()
    assert (a1.late, a2.late) == (False, True)
    assert list(ReportLapse.objects.values_list("grid_id", "kind")) == [(GRID_A2, LapseKind.LATE)]


def test_missing_reports_are_recorded_once_after_the_deadline(district, time_machine):
    time_machine.move_to(at(NEXT_MONDAY, 10), tick=False)
    services.submit_report(
        district.users["worker_a1"], services.open_report(district.users["worker_a1"], GRID_A1, WEEK).pk
    )
    assert services.record_missing(WEEK) == 0  # the deadline has not passed yet
    time_machine.move_to(at(NEXT_MONDAY, 12, 30), tick=False)
    services.open_report(district.users["worker_a2"], GRID_A2, WEEK)  # a draft is not in
    assert services.record_missing() == 3
    assert services.record_missing() == 0
    missing = set(ReportLapse.objects.filter(kind=LapseKind.MISSING).values_list("grid_id", flat=True))
    assert missing == {GRID_A2, GRID_B1, GRID_B2}


def test_submitting_twice_is_refused(district, time_machine):
    time_machine.move_to(at(NEXT_MONDAY, 9), tick=False)
    report = services.open_report(district.users["worker_a1"], GRID_A1, WEEK)
    services.submit_report(district.users["worker_a1"], report.pk)
    with pytest.raises(services.AlreadySubmitted):
        services.submit_report(district.users["worker_a1"], report.pk)
    with pytest.raises(services.AlreadySubmitted):
        services.save_texts(district.users["worker_a1"], report.pk, texts={"stability": "改"})
    assert report.events.filter(action="submit").count() == 1


def test_return_edit_and_resubmit(district, time_machine, django_capture_on_commit_callbacks):
    worker, centre = district.users["worker_a1"], district.users["centre_a"]
    time_machine.move_to(at(NEXT_MONDAY, 9), tick=False)
    report = services.open_report(worker, GRID_A1, WEEK)
    services.save_texts(worker, report.pk, texts={"stability": "调解邻里纠纷两起"}, summary="本周平稳")
    services.submit_report(worker, report.pk)
    with pytest.raises(ValidationError):
        services.return_report(centre, report.pk, note="")
    time_machine.move_to(at(NEXT_MONDAY, 14), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        services.return_report(centre, report.pk, note="请补充低保走访情况")
    report.refresh_from_db()
    assert report.status == ReportStatus.RETURNED
    assert Notification.objects.filter(recipient=worker, title__contains=WEEK.isoformat()).exists()
    with pytest.raises(Conflict):
        services.accept_report(centre, report.pk)  # nothing to review until it comes back
    services.save_texts(
        worker, report.pk, texts={"subsistence": "走访低保户三户"}, expected_version=report.version
    )
    services.submit_report(worker, report.pk)
    services.accept_report(centre, report.pk)
    report.refresh_from_db()
    assert report.status == ReportStatus.ACCEPTED
    assert report.late is False  # the first submission was in time; a resubmission after a return is not late
    assert report.lines.get(line__code="subsistence").text == "走访低保户三户"
    actions = list(report.events.values_list("action", flat=True))
    assert actions == ["create", "edit", "submit", "return", "edit", "submit", "accept"]


def test_stale_edit_is_refused(district, time_machine):
    time_machine.move_to(at(NEXT_MONDAY, 9), tick=False)
    report = services.open_report(district.users["worker_a1"], GRID_A1, WEEK)
    services.save_texts(district.users["worker_a1"], report.pk, texts={"stability": "一"})
    with pytest.raises(Conflict):
        services.save_texts(
            district.users["worker_a1"], report.pk, texts={"stability": "二"}, expected_version=1
        )


def test_forward_each_part_to_its_counterpart(district, time_machine, django_capture_on_commit_callbacks):
    civil = add_civil_handler(district)
    _records(district)
    worker, centre = district.users["worker_a1"], district.users["centre_a"]
    time_machine.move_to(at(NEXT_MONDAY, 9), tick=False)
    report = services.open_report(worker, GRID_A1, WEEK)
    services.submit_report(worker, report.pk)
    with pytest.raises(Conflict):
        services.forward_report(centre, report.pk)  # not accepted yet
    services.accept_report(centre, report.pk)
    with django_capture_on_commit_callbacks(execute=True):
        forwarded = services.forward_report(centre, report.pk, lines=["subsistence", "civilisation"])
    assert {part.line.code for part in forwarded} == {"subsistence", "civilisation"}
    assert [p.line.code for p in services.forwarded_to(civil)] == ["subsistence"]
    assert [p.line.code for p in services.forwarded_to(district.users["street_a"])] == ["civilisation"]
    assert list(services.forwarded_to(district.users["street_b"])) == []
    assert list(services.forwarded_to(district.users["worker_a1"])) == []
    assert Notification.objects.filter(recipient=civil, kind="fieldwork").count() == 1
    assert Notification.objects.filter(recipient=district.users["street_a"], kind="fieldwork").count() == 1
    services.forward_report(centre, report.pk)  # the rest
    assert {p.line.code for p in services.forwarded_to(civil)} == {"subsistence", "civil_affairs"}
    with pytest.raises(Conflict):
        services.forward_report(centre, report.pk)
    assert report.events.filter(action="forward").count() == 2


def test_who_may_write_and_review(district, time_machine):
    time_machine.move_to(at(NEXT_MONDAY, 9), tick=False)
    with pytest.raises(NotFound):
        services.open_report(district.users["worker_b1"], GRID_A1, WEEK)  # another grid
    with pytest.raises(PermissionDenied):
        services.open_report(district.users["member_a1"], GRID_A1, WEEK)  # members do not submit
    with pytest.raises(ValidationError):
        services.open_report(district.users["worker_a1"], GRID_A1, WEEK + dt.timedelta(days=1))  # a Tuesday
    with pytest.raises(ValidationError):
        services.open_report(district.users["worker_a1"], GRID_A1, NEXT_MONDAY + dt.timedelta(days=7))
    report = services.open_report(district.users["worker_a1"], GRID_A1, WEEK)
    services.submit_report(district.users["worker_a1"], report.pk)
    with pytest.raises(NotFound):
        services.accept_report(district.users["worker_b1"], report.pk)
    with pytest.raises(PermissionDenied):
        services.accept_report(district.users["worker_a1"], report.pk)  # nobody reviews their own
    with pytest.raises(NotFound):
        services.get_report(district.users["street_b"], report.pk)


def test_the_lapses_command_records_missing_reports(district, time_machine):
    time_machine.move_to(at(NEXT_MONDAY, 13), tick=False)
    out = StringIO()
    call_command("fieldwork_lapses", stdout=out)
    assert "4" in out.getvalue()
    assert ReportLapse.objects.filter(week_start=WEEK, kind=LapseKind.MISSING).count() == 4
    with pytest.raises(CommandError):
        call_command("fieldwork_lapses", week="2026-11-03")


def test_the_periodic_check_records_missing_reports(district, time_machine):
    time_machine.move_to(at(NEXT_MONDAY, 11), tick=False)
    run_overdue_check()
    assert not ReportLapse.objects.filter(week_start=WEEK).exists()  # before the week's deadline
    time_machine.move_to(at(NEXT_MONDAY, 13), tick=False)
    run_overdue_check()
    run_overdue_check()
    assert ReportLapse.objects.filter(week_start=WEEK, kind=LapseKind.MISSING).count() == 4

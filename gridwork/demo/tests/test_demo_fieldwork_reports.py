"""The demo's year of weekly reports, meetings and work logs, made through field work's services."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from gridwork.cases.models import Case
from gridwork.demo.builder import build_demo, wipe_demo
from gridwork.demo.fieldwork_reports import WEEKS
from gridwork.fieldwork import reports_services as services
from gridwork.fieldwork.reports_models import (
    Decision,
    LapseKind,
    Meeting,
    ReportEvent,
    ReportLapse,
    WeeklyReport,
    WeeklyReportLine,
    WorkLogLine,
)

SCALE = 0.002  # 6 grids


@pytest.mark.django_db
def test_a_year_of_reports_and_meetings(settings: Any, tmp_path: Path) -> None:
    settings.VAR_DIR = str(tmp_path)
    counts = build_demo(SCALE, seed=7)
    assert counts["fieldwork_refused"] == 0
    grids = WeeklyReport.objects.values("grid_id").distinct().count()
    assert grids >= 5
    weeks = WeeklyReport.objects.values("week_start").distinct().count()
    assert weeks == WEEKS
    statuses = Counter(WeeklyReport.objects.values_list("status", flat=True))
    total = sum(statuses.values())
    assert statuses["accepted"] > total * 0.8  # most accepted
    assert WeeklyReport.objects.filter(late=True).exists()  # some late
    assert ReportEvent.objects.filter(action="return").exists()  # some returned, then resubmitted
    returned = ReportEvent.objects.filter(action="return").values_list("report_id", flat=True)
    assert WeeklyReport.objects.filter(pk__in=returned, status="accepted").exists()
    assert ReportLapse.objects.filter(kind=LapseKind.MISSING).exists()
    assert (
        ReportLapse.objects.filter(kind=LapseKind.LATE).count()
        == WeeklyReport.objects.filter(late=True).count()
    )
    # The figures of a submitted report are those its week's records give.
    report = WeeklyReport.objects.filter(status="accepted").order_by("-week_start").first()
    frozen = {p.line.code: p.figures for p in report.lines.select_related("line")}
    live = services.assemble(report.grid_id, report.week_start)
    assert all(frozen[code] == live.get(code, {}) for code in frozen)
    assert WeeklyReportLine.objects.filter(forwarded_at__isnull=False).exists()
    # Monthly meetings with decisions, some of them cases in the meeting's grid.
    assert Meeting.objects.count() >= grids * 11
    as_cases = Decision.objects.filter(outcome="case").select_related("case", "meeting")
    assert as_cases and all(d.case.grid_id == d.meeting.grid_id for d in as_cases)
    assert Case.objects.filter(pk__in=as_cases.values("case_id"), source="memo").count() == as_cases.count()
    assert WorkLogLine.objects.filter(log__day__lt=timezone.localdate()).exists()
    wipe_demo()  # the year goes with the district
    assert not WeeklyReport.objects.exists() and not Meeting.objects.exists()

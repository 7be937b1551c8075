"""The demo's year of work: cases in every state of each track made through the services, some
overdue, rated and merged, spread over twelve months; imports with their reports; reveals."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from gridwork.accounts.models import Role, RoleAssignment
from gridwork.cases.models import Action, Case, CaseEvent
from gridwork.core.models import AuditEvent
from gridwork.demo.builder import build_demo, wipe_demo
from gridwork.demo.case_scripts import STATUSES_BY_TRACK
from gridwork.transfer.models import ImportJob
from gridwork.transfer.services import error_report_path

SCALE = 0.002  # 2 streets, 2 communities, 6 grids: about 60 cases


@pytest.fixture
def year(db: None, settings: Any, tmp_path: Path) -> dict[str, int]:
    settings.VAR_DIR = str(tmp_path)  # the imports' files and reports
    return build_demo(SCALE, seed=7)


def test_every_state_of_every_track(year: dict[str, int]) -> None:
    # Field work adds the cases that meetings' decisions, memos and patrol findings became.
    made_in_field = sum(year.get(kind, 0) for kind in ("decision_cases", "memo_cases", "patrol_cases"))
    assert year["cases"] + made_in_field == Case.objects.count()
    assert year["cases"] >= 50
    assert year["cases_stopped_early"] == 0
    by_track: dict[str, set[str]] = {}
    for track, status in Case.objects.values_list("track", "status"):
        by_track.setdefault(track, set()).add(status)
    for track, statuses in STATUSES_BY_TRACK.items():
        assert statuses <= by_track.get(track, set()), track


def test_made_through_the_services_with_timelines_and_audit(year: dict[str, int]) -> None:
    cases = Case.objects.count()
    # One report entry per case, and an audit entry for every report and transition.
    assert CaseEvent.objects.filter(action=Action.REPORT).count() == cases
    audited = AuditEvent.objects.filter(object_type="cases.case")
    assert audited.filter(action=AuditEvent.Action.CREATE).count() == cases
    assert audited.filter(action=AuditEvent.Action.UPDATE).count() >= cases
    # Every closed coordination case went to a department and came back verified.
    closed = Case.objects.filter(track="coordination", status="closed")
    for case in closed:
        actions = set(case.events.values_list("action", flat=True))
        assert {"dispatch", "handle", "verify_pass", "feedback"} <= actions, case.pk
    # Acted on by the demo users of the right roles: departments by their handlers.
    handlers = set(
        RoleAssignment.objects.filter(role=Role.DEPARTMENT_HANDLER).values_list("user__username", flat=True)
    )
    handled_by = set(CaseEvent.objects.filter(action="handle").values_list("actor__username", flat=True))
    assert handled_by and handled_by <= handlers


def test_spread_over_the_year_with_times_that_agree(year: dict[str, int]) -> None:
    now = timezone.now()
    created = list(Case.objects.values_list("created_at", flat=True))
    assert min(created) < now - dt.timedelta(days=200)
    assert max(created) > now - dt.timedelta(days=30)
    assert all(now - dt.timedelta(days=367) < moment <= now for moment in created)
    months = Counter((m.year, m.month) for m in created)
    assert len(months) >= 10
    # The audit entry of a report was written at the report's moment (time passed, not back-dated).
    case = Case.objects.order_by("created_at").first()
    entry = AuditEvent.objects.get(object_type="cases.case", object_id=str(case.pk), action="create")
    assert entry.at == case.created_at
    report = case.events.get(action=Action.REPORT)
    assert report.at == case.created_at


def test_some_overdue_rated_merged_and_reworked(year: dict[str, int]) -> None:
    overdue = Case.objects.filter(overdue=True)
    assert overdue.count() == year["cases_overdue"] > 0
    assert all(c.is_open for c in overdue)
    assert CaseEvent.objects.filter(action=Action.OVERDUE).count() >= overdue.count()
    rated = Case.objects.exclude(rating=None)
    assert rated.count() >= 3 and all(c.status == "closed" for c in rated)
    assert CaseEvent.objects.filter(action=Action.RATE, actor=None).count() == rated.count()
    merged = Case.objects.filter(status="merged")
    assert merged.count() >= 2
    for case in merged:
        target = case.merged_into
        assert target.category_id == case.category_id and target.grid_id == case.grid_id
        assert case.source == "resident"
    assert CaseEvent.objects.filter(action=Action.VERIFY_FAIL).exists()
    # Chinese words, no placeholder left.
    assert all(
        "{" not in t and any("\u4e00" <= ch <= "\u9fff" for ch in t)
        for t in Case.objects.values_list("title", flat=True)
    )


def test_imports_with_their_reports_and_reveals(year: dict[str, int]) -> None:
    jobs = list(ImportJob.objects.order_by("pk"))
    assert len(jobs) == 3 and all(j.status == ImportJob.Status.DONE for j in jobs)
    first, broken, fixed = jobs
    assert first.created > 0 and first.errors_count == 0
    assert broken.mode == ImportJob.Mode.CHECK and broken.errors_count >= 2 and broken.created == 0
    assert error_report_path(broken, "csv").exists()
    assert fixed.created > 0 and fixed.errors_count == 0
    reveals = AuditEvent.objects.filter(action=AuditEvent.Action.REVEAL)
    assert reveals.count() >= 10 and not reveals.filter(reason="").exists()
    assert reveals.filter(object_type="cases.case").exists()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).count() == 3


@pytest.mark.django_db
def test_same_seed_same_year(settings: Any, tmp_path: Path) -> None:
    settings.VAR_DIR = str(tmp_path)

    def story() -> list[tuple]:
        rows = Case.objects.order_by("created_at", "title").values_list(
            "title", "track", "status", "grid_id", "rating", "source"
        )
        return list(rows)

    build_demo(0.0005, seed=3)
    first = story()
    assert first
    wipe_demo()
    assert not Case.objects.exists() and not ImportJob.objects.exists()
    build_demo(0.0005, seed=3)
    assert story() == first

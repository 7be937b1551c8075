"""Field work in the authorization matrix's district: in each grid (A1, A2, B1 and the other
district's X1), made by the grid's worker through field work's services, a patrol under way with
a finding, a visit, a memo, weekly reports in each state a route acts on (a draft, a submitted one,
an accepted one forwarded to its counterparts), a meeting with a task, a problem raised and one
answered, a line of the work log, and a visit from the phone waiting as a sync conflict.

Each holds a text no other record shares (`SECRETS`), so that an answer showing it out of scope
is caught like a register record's name.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from gridwork.accounts import services as accounts
from gridwork.accounts.access import forget_assignments
from gridwork.accounts.models import Role
from gridwork.cases.tests.helpers import PNG
from gridwork.conftest import GRID_A1, GRID_A2, GRID_B1, PASSWORD
from gridwork.core.system import SYSTEM
from gridwork.fieldwork import patrols_services as patrols
from gridwork.fieldwork import reports_meetings as meetings
from gridwork.fieldwork import reports_services as reports
from gridwork.fieldwork import reports_worklog as worklog
from gridwork.fieldwork import visit_services as visits
from gridwork.fieldwork.visit_models import SyncEntry, SyncResult

FIELD_GRIDS = {GRID_A1: "worker_a1", GRID_A2: "worker_a2", GRID_B1: "worker_b1"}
# The reviewer of each grid's reports: the community's acceptance centre, or the street's staff.
REVIEWERS = {GRID_A1: "centre_a", GRID_A2: "centre_a", GRID_B1: "street_b"}


@dataclass
class FieldWork:
    objects: dict[str, dict[str, Any]] = field(default_factory=dict)  # kind → grid → record
    conflicts: dict[str, str] = field(default_factory=dict)  # user key → client id
    secrets: dict[str, list[str]] = field(default_factory=dict)  # grid → its texts

    def put(self, kind: str, grid: str, record: Any) -> None:
        self.objects.setdefault(kind, {})[grid] = record


def _ago(**delta: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(**delta)


def _grid_work(
    fw: FieldWork, grid: str, label: str, worker: Any, reviewer: Any, key_person: Any, point: Any
) -> None:
    lon, lat = point(grid)
    texts = {k: f"{k}{label}秘" for k in ("见闻", "走访", "民情", "周报", "会议", "问题", "日志")}
    fw.secrets[grid] = list(texts.values())
    patrol = patrols.start_patrol(worker, grid=grid, at=_ago(hours=1))
    patrols.add_fixes(
        worker,
        patrol.pk,
        [{"at": _ago(minutes=50 - i).isoformat(), "lon": lon, "lat": lat, "accuracy_m": 8} for i in range(2)],
    )
    fw.put("patrol", grid, patrol)
    photo = SimpleUploadedFile("finding.png", PNG, content_type="image/png")
    finding = patrols.add_finding(worker, patrol.pk, note=texts["见闻"], lon=lon, lat=lat, photo=photo)
    fw.put("finding", grid, finding)
    # The grid's key person (tagged), visited yesterday at home.
    visit = visits.record_visit(
        worker, person_id=key_person.pk, findings=texts["走访"], visited_at=_ago(days=1), lon=lon, lat=lat
    )
    fw.put("visit", grid, visit)
    memo = visits.write_memo(worker, text=texts["民情"], person_id=key_person.pk, lon=lon, lat=lat)
    fw.put("memo", grid, memo)
    this_week = reports.week_of(timezone.localdate())
    draft, submitted, accepted = (
        reports.open_report(worker, grid, this_week - dt.timedelta(weeks=n)) for n in (1, 2, 3)
    )
    for report in (draft, submitted, accepted):
        reports.save_texts(worker, report.pk, summary=texts["周报"])
    for report in (submitted, accepted):
        reports.submit_report(worker, report.pk)
    reports.accept_report(reviewer, accepted.pk, note="")
    # One part forwarded (to the street's staff, the civilisation line's counterparts), the others not.
    reports.forward_report(reviewer, accepted.pk, lines=["civilisation"])
    fw.put("report", grid, draft)
    fw.put("report_submitted", grid, submitted)
    fw.put("report_accepted", grid, accepted)
    meeting = meetings.record_meeting(worker, grid, held_on=timezone.localdate(), title=texts["会议"])
    fw.put("meeting", grid, meeting)
    task = meetings.add_decision(
        worker, meeting.pk, text="清点灭火器", outcome="task", owner=worker.pk, due_on=timezone.localdate()
    ).task
    fw.put("task", grid, task)
    fw.put("problem", grid, meetings.raise_problem(worker, grid, subject=texts["问题"]))
    answered = meetings.raise_problem(worker, grid, subject="井盖松动")
    meetings.answer_problem(reviewer, answered.pk, answer="已报修")
    fw.put("problem_answered", grid, answered)
    worklog.add_line(worker, timezone.localdate(), texts["日志"], grid_code=grid)


def _conflict(user: Any, grid: str) -> str:
    """A visit from the phone whose household moved meanwhile: kept until its worker settles it."""
    client_id = uuid.uuid4()
    entry = {"id": str(client_id), "kind": "visit", "at": _ago(hours=2).isoformat(), "data": {"grid": grid}}
    SyncEntry.objects.create(
        user=user,
        client_id=client_id,
        kind="visit",
        grid_id=grid,
        result=SyncResult.CONFLICT,
        reason="The household has moved to another grid.",
        payload=entry,
    )
    return str(client_id)


def build_field_work(
    users: dict[str, Any], key_people: dict[str, Any], point: Any, grid_x: str, conflicts_of: dict[str, Any]
) -> FieldWork:
    """Field work in every grid, and a sync conflict of each user of `conflicts_of`; `users` gains
    the other district's acceptance centre."""
    centre_x = accounts.create_user(
        SYSTEM, "centre_x", PASSWORD, display_name="centre_x", check_password=False
    )
    accounts.grant_role(SYSTEM, centre_x, Role.ACCEPTANCE_CENTRE, grid_x[:12])
    forget_assignments(centre_x)
    users["centre_x"] = centre_x
    fw = FieldWork()
    grids = {**FIELD_GRIDS, grid_x: "worker_x1"}
    reviewers = {**REVIEWERS, grid_x: "centre_x"}
    for grid, worker in grids.items():
        _grid_work(fw, grid, grid[-4:], users[worker], users[reviewers[grid]], key_people[grid], point)
    for key, user in conflicts_of.items():
        fw.conflicts[key] = _conflict(user, GRID_A2 if key == "worker_a2" else GRID_A1)
    return fw

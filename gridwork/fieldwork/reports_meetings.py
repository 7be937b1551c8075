"""Grid meetings and their decisions (a decision may become a case or a task), tasks, and the
problem-feedback register (what a grid raised to the community, and what came back).

Each write checks the actor's capability at the grid, runs in a transaction with what it changes
locked, writes the audit log, and notifies after commit.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridwork.accounts.access import FIELDWORK_REPORTS_RECORD, FIELDWORK_REPORTS_REVIEW, can
from gridwork.accounts.models import RoleAssignment, User
from gridwork.accounts.permissions import require
from gridwork.areas.geometry import parse_polygon
from gridwork.areas.models import Area, AreaBoundary, Level
from gridwork.areas.services import locate_grid
from gridwork.cases import services as case_services
from gridwork.cases.models import Source
from gridwork.core import audit
from gridwork.core.bounds import EARLIEST_DATE, LATEST_DATE
from gridwork.core.errors import Conflict, NotFound
from gridwork.core.models import AuditEvent
from gridwork.fieldwork.reports_models import (
    Decision,
    Feedback,
    Meeting,
    MeetingAttendee,
    Task,
    TeamRole,
)
from gridwork.notify.recipients import area_staff
from gridwork.notify.services import notify_people

MAX_ATTENDEES = 40


def _grid(actor: Any, grid_code: str) -> Area:
    grid = Area.objects.visible_to(actor).filter(code=grid_code or "", level=Level.GRID).first()
    if grid is None:
        raise NotFound(_("No such grid."))
    return grid


def _one(model: Any, actor: Any, pk: Any, *, lock: bool = False) -> Any:
    query = model.objects.visible_to(actor)
    if lock:
        query = query.select_for_update()
    try:
        found = query.filter(pk=int(pk)).first()
    except (TypeError, ValueError):
        found = None
    if found is None:
        raise NotFound(_("Not found."))
    return found


def _team_member(user_id: Any, grid_code: str) -> User:
    """A user who holds a role in force at the grid or at an area above it."""
    above = [grid_code[:n] for n in (6, 9, 12, 15)]
    try:
        user_id = int(user_id)
    except (TypeError, ValueError):
        user_id = 0
    held = RoleAssignment.objects.active().filter(user_id=user_id, area_id__in=above, user__is_active=True)
    if not held.exists():
        raise ValidationError({"user": _("This person holds no role in this grid.")})
    return User.objects.get(pk=user_id)


def _past_day(value: Any, field: str) -> dt.date:
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            raise ValidationError({field: _("Enter a valid date.")}) from None
    if not isinstance(value, dt.date) or value < EARLIEST_DATE:
        raise ValidationError({field: _("Enter a valid date.")})
    if value > timezone.localdate():
        raise ValidationError({field: _("The date lies in the future.")})
    return value


def team_of(grid_code: str) -> list[RoleAssignment]:
    """The grid's own team (the roles held at the grid itself), to pick attendees and task owners."""
    return list(
        RoleAssignment.objects.active()
        .filter(area_id=grid_code, user__is_active=True)
        .select_related("user")
        .order_by("role", "user__username")
    )


# --- meetings -----------------------------------------------------------------------------------


def record_meeting(
    actor: Any,
    grid_code: str,
    *,
    held_on: Any,
    title: str,
    minutes: str = "",
    attendees: list[dict[str, Any]] = (),  # type: ignore[assignment]
    now: dt.datetime | None = None,
) -> Meeting:
    """A grid meeting with who was there: {"user": id} or {"name": "..."}, each with a team_role."""
    now = now or timezone.now()
    grid = _grid(actor, grid_code)
    require(actor, FIELDWORK_REPORTS_RECORD, grid.code)
    day = _past_day(held_on, "held_on")
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("This field is required.")})
    if len(attendees) > MAX_ATTENDEES:
        raise ValidationError({"attendees": _("At most %(n)d attendees.") % {"n": MAX_ATTENDEES}})
    rows = []
    for entry in attendees:
        role = entry.get("team_role") or TeamRole.OTHER
        if role not in TeamRole.values:
            raise ValidationError({"attendees": _("Unknown team role: %(role)s") % {"role": role}})
        name = (entry.get("name") or "").strip()[:50]
        user = _team_member(entry["user"], grid.code) if entry.get("user") else None
        if user is None and not name:
            raise ValidationError({"attendees": _("Each attendee needs a user or a name.")})
        rows.append(
            MeetingAttendee(user=user, name=name or (user.display_name if user else ""), team_role=role)
        )
    with transaction.atomic():
        meeting = Meeting.objects.create(
            grid=grid,
            held_on=day,
            title=title[:200],
            minutes=minutes or "",
            recorded_by=actor,
            created_at=now,
        )
        for row in rows:
            row.meeting = meeting
        MeetingAttendee.objects.bulk_create(rows)
        audit.log(AuditEvent.Action.CREATE, actor, obj=meeting, detail={"attendees": len(rows)})
    return meeting


def get_meeting(actor: Any, meeting_id: Any) -> Meeting:
    return _one(Meeting, actor, meeting_id)


def _grid_point(grid_code: str) -> tuple[float, float]:
    """A point surely inside the grid (its boundary's representative point), for a case that a
    meeting decided about the grid as a whole."""
    boundary = (
        AreaBoundary.objects.current().filter(area__code=grid_code).values_list("geojson", flat=True).first()
    )
    if boundary is None:
        raise ValidationError({"lon": _("Give the place of the case: the grid has no boundary.")})
    point = parse_polygon(boundary).representative_point()
    return point.x, point.y


def add_decision(
    actor: Any,
    meeting_id: Any,
    *,
    text: str,
    outcome: str = Decision.Outcome.NOTE,
    category: str = "",
    lon: float | None = None,
    lat: float | None = None,
    owner: Any = None,
    due_on: Any = None,
    now: dt.datetime | None = None,
) -> Decision:
    """A decision of the meeting; as a case (category, place: default inside the grid) or a task
    (an owner from the grid's team, a due date)."""
    now = now or timezone.now()
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("This field is required.")})
    if outcome not in Decision.Outcome.values:
        raise ValidationError({"outcome": _("Choose note, case or task.")})
    with transaction.atomic():
        meeting = _one(Meeting, actor, meeting_id, lock=True)
        require(actor, FIELDWORK_REPORTS_RECORD, meeting.grid_id)
        decision = Decision(meeting=meeting, text=text[:500], outcome=outcome, created_at=now)
        if outcome == Decision.Outcome.CASE:
            if not category:
                raise ValidationError({"category": _("This field is required.")})
            if lon is None or lat is None:
                lon, lat = _grid_point(meeting.grid_id)
            elif locate_grid(lon, lat) != meeting.grid_id:
                raise ValidationError({"lon": _("The place lies outside the meeting's grid.")})
            decision.case = case_services.report_case(
                actor,
                category=category,
                title=text[:100],
                description=_("Decided at the grid meeting of %(day)s: %(title)s")
                % {"day": meeting.held_on.isoformat(), "title": meeting.title},
                source=Source.MEMO,
                lon=lon,
                lat=lat,
                at=now,
            )
        elif outcome == Decision.Outcome.TASK:
            person = _team_member(owner, meeting.grid_id)
            due = _date(due_on, "due_on")
            if due < meeting.held_on:
                raise ValidationError({"due_on": _("The due date lies before the meeting.")})
            decision.task = Task.objects.create(
                grid_id=meeting.grid_id, title=text[:300], owner=person, due_on=due, created_at=now
            )
            owner_id, title = (
                person.pk,
                _("A task for you from the grid meeting: %(text)s") % {"text": text[:150]},
            )
            if owner_id != getattr(actor, "pk", None):
                transaction.on_commit(
                    lambda: notify_people({owner_id}, title, _("Due %(day)s") % {"day": due})
                )
        decision.save()
        audit.log(
            AuditEvent.Action.CREATE,
            actor,
            obj=decision,
            area_code=meeting.grid_id,
            detail={
                "meeting": meeting.pk,
                "outcome": outcome,
                "case": decision.case_id,
                "task": decision.task_id,
            },
        )
    return decision


def _date(value: Any, field: str) -> dt.date:
    if not isinstance(value, dt.date):
        try:
            value = dt.date.fromisoformat(str(value or ""))
        except ValueError:
            raise ValidationError({field: _("Enter a valid date.")}) from None
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise ValidationError({field: _("Enter a valid date.")})
    return value


# --- tasks --------------------------------------------------------------------------------------


def complete_task(actor: Any, task_id: Any, *, note: str = "", now: dt.datetime | None = None) -> Task:
    """The owner, or the grid's team, marks a task done."""
    now = now or timezone.now()
    with transaction.atomic():
        task = _one(Task, actor, task_id, lock=True)
        if task.owner_id != getattr(actor, "pk", None) and not can(
            actor, FIELDWORK_REPORTS_RECORD, task.grid_id
        ):
            raise PermissionDenied(_("You may not do this in this area."))
        if task.status == Task.Status.DONE:
            raise Conflict(_("This task is done already."))
        task.status, task.done_at, task.done_note = Task.Status.DONE, now, (note or "").strip()[:500]
        task.save(update_fields=["status", "done_at", "done_note"])
        audit.log(AuditEvent.Action.UPDATE, actor, obj=task, detail={"status": "done"})
    return task


# --- the problem-feedback register --------------------------------------------------------------


def raise_problem(
    actor: Any,
    grid_code: str,
    *,
    subject: str,
    detail: str = "",
    meeting_id: Any = None,
    now: dt.datetime | None = None,
) -> Feedback:
    now = now or timezone.now()
    grid = _grid(actor, grid_code)
    require(actor, FIELDWORK_REPORTS_RECORD, grid.code)
    subject = (subject or "").strip()
    if not subject:
        raise ValidationError({"subject": _("This field is required.")})
    meeting = None
    if meeting_id:
        meeting = _one(Meeting, actor, meeting_id)
        if meeting.grid_id != grid.code:
            raise ValidationError({"meeting": _("The meeting is of another grid.")})
    with transaction.atomic():
        problem = Feedback.objects.create(
            grid=grid,
            subject=subject[:200],
            detail=detail or "",
            raised_by=actor,
            raised_at=now,
            meeting=meeting,
        )
        audit.log(AuditEvent.Action.CREATE, actor, obj=problem)
        community, title = (
            grid.code[:12],
            _("Grid %(grid)s raised a problem: %(subject)s")
            % {
                "grid": grid.code,
                "subject": subject[:100],
            },
        )
        transaction.on_commit(lambda: notify_people(area_staff(community), title))
    return problem


def answer_problem(actor: Any, problem_id: Any, *, answer: str, now: dt.datetime | None = None) -> Feedback:
    """The community's answer (again, if it answers anew before the grid closes it)."""
    now = now or timezone.now()
    answer = (answer or "").strip()
    with transaction.atomic():
        problem = _one(Feedback, actor, problem_id, lock=True)
        require(actor, FIELDWORK_REPORTS_REVIEW, problem.grid_id)
        if problem.status == Feedback.Status.CLOSED:
            raise Conflict(_("This problem is closed."))
        if not answer:
            raise ValidationError({"answer": _("This field is required.")})
        problem.status, problem.answer = Feedback.Status.ANSWERED, answer
        problem.answered_by, problem.answered_at = actor, now
        problem.save(update_fields=["status", "answer", "answered_by", "answered_at"])
        audit.log(AuditEvent.Action.UPDATE, actor, obj=problem, detail={"status": "answered"})
        raiser, title = (
            problem.raised_by_id,
            _("The community answered: %(subject)s") % {"subject": problem.subject[:100]},
        )
        transaction.on_commit(lambda: notify_people({raiser}, title, answer[:500]))
    return problem


def close_problem(actor: Any, problem_id: Any) -> Feedback:
    """The grid accepts the answer."""
    with transaction.atomic():
        problem = _one(Feedback, actor, problem_id, lock=True)
        require(actor, FIELDWORK_REPORTS_RECORD, problem.grid_id)
        if problem.status != Feedback.Status.ANSWERED:
            raise Conflict(_("Only an answered problem can be closed."))
        problem.status = Feedback.Status.CLOSED
        problem.save(update_fields=["status"])
        audit.log(AuditEvent.Action.UPDATE, actor, obj=problem, detail={"status": "closed"})
    return problem

"""Reading cases for the services and the pages: the scoped case, the public timeline, and who
may act on a case now."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from gridwork.accounts.access import active_assignments
from gridwork.accounts.models import Role
from gridwork.cases import machine
from gridwork.cases.models import (
    Action,
    Case,
    Status,
)
from gridwork.core import audit
from gridwork.core.errors import NotFound
from gridwork.core.masking import mask_free_text
from gridwork.core.models import AuditEvent
from gridwork.core.system import is_system

PUBLIC_NOTE_ACTIONS = frozenset({Action.FEEDBACK, Action.REJECT, Action.DENY, Action.RESOLVE})


def get_visible_case(
    actor: Any, case_id: Any, *, lock: bool = False, queryset: QuerySet[Case] | None = None
) -> Case:
    """The case if the actor may see it, else NotFound; `queryset` shapes the read (related rows)."""
    base = queryset if queryset is not None else Case.objects.all()
    qs = base if is_system(actor) else base.visible_to(actor)
    if lock:
        qs = qs.select_for_update(of=("self",))
    try:
        case = qs.filter(pk=int(case_id)).first()
    except (TypeError, ValueError):
        case = None
    if case is None:
        raise NotFound(Case._meta.verbose_name)
    return case


def log_case_read(actor: Any, case: Case) -> None:
    """One audit entry for a case opened on its own (its page, its API answer), never per list row:
    the unusual-reading alert counts them."""
    if not is_system(actor):
        audit.log(AuditEvent.Action.READ, actor, obj=case)


def get_by_tracking_code(tracking_code: str) -> Case:
    case = (
        Case.objects.select_related("category")
        .filter(tracking_code=(tracking_code or "").strip().upper())
        .first()
    )
    if case is None:
        raise NotFound(Case._meta.verbose_name)
    return case


def public_timeline(case: Case) -> list[dict[str, Any]]:
    """The timeline as a resident may see it: what happened and when; no names, no contacts, no places."""
    entries = []
    for event in case.events.all():
        entries.append(
            {
                "action": event.action,
                "action_label": Action(event.action).label,
                "status": event.to_status,
                "status_label": Status(event.to_status).label if event.to_status else "",
                "at": event.at,
                # Notes addressed to the resident, never a number someone typed into them.
                "note": mask_free_text(event.note) if event.action in PUBLIC_NOTE_ACTIONS else "",
            }
        )
    return entries


def acting_role(actor: Any, roles: frozenset[str], case: Case) -> str | None:
    """The first of the actor's roles that may act on the case here, or None.

    Grid roles act at the case's grid; a department handler for the holding department only; the
    centre, street and district at the holding area (so a case escalated above them leaves their hands).
    """
    if is_system(actor):
        return "system"
    for assignment in active_assignments(actor):
        role, area = assignment.role, assignment.area_id
        if role not in roles:
            continue
        if role in machine.GRID_ROLES:
            ok = case.grid_id.startswith(area)
        elif role == Role.DEPARTMENT_HANDLER:
            ok = bool(assignment.department) and assignment.department == case.holder_department
            ok = ok and case.grid_id.startswith(area)
        else:
            ok = (case.holder_area_id or case.grid_id).startswith(area)
        if ok:
            return role
    return None


def allowed_actions(actor: Any, case: Case) -> list[str]:
    """The table actions this actor may take on the case now (for pages and API hints)."""
    result = []
    for action in machine.actions_from(case.status):
        transition = machine.transition_for(case.status, action)
        if transition and case.track in transition.tracks and acting_role(actor, transition.roles, case):
            result.append(action)
    return result

"""Who hears of a case event: the people behind a holder key, an area's staff, a department's handlers.

Only roles in force today count (RoleAssignment.objects.active()), and only active users.
"""

from __future__ import annotations

from gridwork.accounts.models import Role, RoleAssignment
from gridwork.cases.models import FINAL_STATUSES, Action, Case, CaseEvent, Status
from gridwork.notify.models import Kind

# The staff role that answers for a holding area, by the length of its code.
STAFF_ROLE_BY_LEVEL = {
    15: Role.GRID_WORKER,
    12: Role.ACCEPTANCE_CENTRE,
    9: Role.STREET_STAFF,
    6: Role.DISTRICT_STAFF,
}


def _active_users(qs: object) -> set[int]:
    return set(
        qs.filter(user__is_active=True).values_list("user_id", flat=True)  # type: ignore[attr-defined]
    )


def area_staff(area_code: str) -> set[int]:
    """The users holding, at exactly this area, the staff role of its level."""
    role = STAFF_ROLE_BY_LEVEL.get(len(area_code or ""))
    if role is None:
        return set()
    return _active_users(RoleAssignment.objects.active().filter(role=role, area_id=area_code))


def department_handlers(department: str, grid_code: str) -> set[int]:
    """Handlers of the department holding their role at an area above (or at) the case's grid."""
    if not department:
        return set()
    above = [grid_code[:n] for n in (6, 9, 12, 15) if len(grid_code) >= n]
    return _active_users(
        RoleAssignment.objects.active().filter(
            role=Role.DEPARTMENT_HANDLER, department=department, area_id__in=above
        )
    )


def holder_people(key: str, grid_code: str) -> set[int]:
    """The users behind a holder key ("user:<id>", "department:<area>:<name>", "area:<code>")."""
    kind, _sep, rest = (key or "").partition(":")
    if kind == "user":
        return {int(rest)} if rest.isdigit() else set()
    if kind == "department":
        _area, _sep, department = rest.partition(":")
        return department_handlers(department, grid_code)
    if kind == "area":
        return area_staff(rest)
    return set()


def holder_area_of(key: str) -> str:
    kind, _sep, rest = (key or "").partition(":")
    if kind == "department":
        return rest.partition(":")[0]
    return rest if kind == "area" else ""


def recipients_for(case: Case, event: CaseEvent) -> tuple[str, set[int]]:
    """The kind of notification an event gives and who gets it (never the one who acted).

    - emergencies: each `alert` entry reaches the staff of its area (street, community) at once;
    - overdue and escalation: the holder before and the level above (the holder after, and when a
      department keeps the work, the staff of the area it now answers to);
    - otherwise a new holder (or a new or reopened case) reaches the people behind the holder;
      a handled case awaiting verification reaches the workers of its grid.
    Final statuses notify no one here (the resident hears of them by SMS).
    """
    grid = case.grid_id
    action = event.action
    people: set[int] = set()
    kind = Kind.ASSIGNED
    if action == Action.ALERT:
        kind, people = Kind.EMERGENCY, area_staff(str((event.detail or {}).get("area", "")))
    elif action == Action.REPORT and event.to_status == Status.EMERGENCY:
        people = set()  # the alert entries that follow carry the emergency
    elif action in (Action.OVERDUE, Action.ESCALATE):
        kind = Kind.OVERDUE if action == Action.OVERDUE else Kind.ESCALATED
        people = holder_people(event.holder_before, grid) | holder_people(event.holder_after, grid)
        if event.holder_after.startswith("department:"):
            people |= area_staff(holder_area_of(event.holder_after))
    elif event.to_status in FINAL_STATUSES:
        people = set()
    elif event.holder_after and (
        event.holder_after != event.holder_before or action in (Action.REPORT, Action.REOPEN)
    ):
        kind = Kind.VERIFY if event.to_status == Status.HANDLED else Kind.ASSIGNED
        people = holder_people(event.holder_after, grid)
    people.discard(event.actor_id)  # type: ignore[arg-type]
    return kind, people

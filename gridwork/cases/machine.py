"""The one state machine of cases: a table of (status, action) → transition.

A transition names where the case goes (a status, or one per track), who may do it, who holds the
case afterwards and which step's time limit starts. services.act is the only code that applies it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from gridwork.accounts.models import Role
from gridwork.cases.models import Action, Status, Track

A, S, T = Action, Status, Track
ALL_TRACKS = frozenset(Track.values)

GRID_ROLES = frozenset({Role.GRID_WORKER, Role.GRID_MEMBER})
WORKER = frozenset({Role.GRID_WORKER})
CENTRE_UP = frozenset({Role.ACCEPTANCE_CENTRE, Role.STREET_STAFF, Role.DISTRICT_STAFF})
STREET_UP = frozenset({Role.STREET_STAFF, Role.DISTRICT_STAFF})
DISTRICT = frozenset({Role.DISTRICT_STAFF})
DEPARTMENT = frozenset({Role.DEPARTMENT_HANDLER})

# Where the case goes when the transition names no status of its own.
PREVIOUS = "previous"  # back to the status it was suspended from

# Holder rules.
KEEP = "keep"
GRID = "grid"  # the grid's workers
CENTRE = "centre"  # the acceptance centre of the community above the grid
UP = "up"  # the area one level above the current holding area
TO_DEPARTMENT = "department"  # params["department"], under the current holding area
REWORK = "rework"  # back to the department that last handled it
DROP_DEPARTMENT = "drop_department"  # back to the holding area's staff
STREET = "street"

# Deadline rules besides a step name.
KEEP_CLOCK = "keep"
RESUME_CLOCK = "resume"
EXTEND_CLOCK = "extend"
STOP_CLOCK = None


@dataclass(frozen=True)
class Transition:
    to: str | Mapping[str, str]
    roles: frozenset[str]
    holder: str | Mapping[str, str] = KEEP
    step: str | Mapping[str, str] | None = KEEP_CLOCK
    tracks: frozenset[str] = ALL_TRACKS
    needs_note: bool = False
    # Routine and emergency cases that go back into the loop continue as coordination cases.
    becomes: Mapping[str, str] = field(default_factory=dict)

    def pick(self, value: str | Mapping[str, str] | None, track: str) -> str | None:
        return value.get(track) if isinstance(value, Mapping) else value


_BY_TRACK_ACCEPT_TO = {
    T.ROUTINE: S.ON_SITE,
    T.COORDINATION: S.ACCEPTED,
    T.EMERGENCY: S.EMERGENCY,
    T.APPROVAL: S.ACCEPTED,
}
_BY_TRACK_ACCEPT_HOLDER = {T.ROUTINE: GRID, T.COORDINATION: CENTRE, T.EMERGENCY: CENTRE, T.APPROVAL: CENTRE}
_BY_TRACK_ACCEPT_STEP = {
    T.ROUTINE: "on_site",
    T.COORDINATION: "dispatch",
    T.EMERGENCY: "emergency",
    T.APPROVAL: "review",
}
_INTO_LOOP = {T.ROUTINE: T.COORDINATION, T.EMERGENCY: T.COORDINATION}

TRANSITIONS: dict[tuple[str, str], Transition] = {
    # acceptance and definition at the community acceptance centre
    (S.SUBMITTED, A.ACCEPT): Transition(
        _BY_TRACK_ACCEPT_TO, CENTRE_UP, _BY_TRACK_ACCEPT_HOLDER, _BY_TRACK_ACCEPT_STEP
    ),
    (S.SUBMITTED, A.ESCALATE): Transition(S.SUBMITTED, CENTRE_UP, UP, KEEP_CLOCK, needs_note=True),
    # routine: handled on the spot by the grid worker
    (S.ON_SITE, A.RESOLVE): Transition(S.CLOSED, WORKER, CENTRE, STOP_CLOCK, frozenset({T.ROUTINE})),
    (S.ON_SITE, A.ESCALATE): Transition(
        S.ACCEPTED, WORKER | CENTRE_UP, CENTRE, "dispatch", needs_note=True, becomes=_INTO_LOOP
    ),
    # coordination
    (S.ACCEPTED, A.DISPATCH): Transition(
        S.DISPATCHED, CENTRE_UP, TO_DEPARTMENT, "handle", frozenset({T.COORDINATION})
    ),
    (S.ACCEPTED, A.ESCALATE): Transition(S.ACCEPTED, CENTRE_UP, UP, KEEP_CLOCK, needs_note=True),
    (S.DISPATCHED, A.HANDLE): Transition(S.HANDLED, DEPARTMENT, GRID, "verify"),
    (S.DISPATCHED, A.RETURN): Transition(
        S.ACCEPTED, DEPARTMENT, DROP_DEPARTMENT, "dispatch", needs_note=True
    ),
    (S.DISPATCHED, A.ESCALATE): Transition(
        S.ACCEPTED, DEPARTMENT | CENTRE_UP, UP, "dispatch", needs_note=True
    ),
    (S.HANDLED, A.VERIFY_PASS): Transition(S.VERIFIED, WORKER, CENTRE, "feedback"),
    (S.HANDLED, A.VERIFY_FAIL): Transition(S.DISPATCHED, WORKER, REWORK, "handle", needs_note=True),
    (S.VERIFIED, A.FEEDBACK): Transition(S.CLOSED, WORKER | CENTRE_UP, CENTRE, STOP_CLOCK, needs_note=True),
    # emergency
    (S.EMERGENCY, A.UPDATE): Transition(S.EMERGENCY, WORKER | CENTRE_UP, KEEP, KEEP_CLOCK, needs_note=True),
    (S.EMERGENCY, A.RESOLVE): Transition(S.CLOSED, WORKER | CENTRE_UP, CENTRE, STOP_CLOCK, needs_note=True),
    (S.EMERGENCY, A.ESCALATE): Transition(S.EMERGENCY, CENTRE_UP, UP, KEEP_CLOCK, needs_note=True),
    # approval
    (S.ACCEPTED, A.SUBMIT_REVIEW): Transition(
        S.STREET_REVIEW, CENTRE_UP, STREET, "street_review", frozenset({T.APPROVAL})
    ),
    (S.STREET_REVIEW, A.REVIEW_PASS): Transition(S.DISTRICT_REVIEW, STREET_UP, UP, "district_review"),
    (S.STREET_REVIEW, A.RETURN): Transition(S.ACCEPTED, STREET_UP, CENTRE, "review", needs_note=True),
    (S.DISTRICT_REVIEW, A.APPROVE): Transition(S.NOTICE, DISTRICT, CENTRE, "notice"),
    (S.DISTRICT_REVIEW, A.DENY): Transition(S.NOTICE, DISTRICT, CENTRE, "notice", needs_note=True),
    (S.DISTRICT_REVIEW, A.RETURN): Transition(
        S.STREET_REVIEW, DISTRICT, STREET, "street_review", needs_note=True
    ),
    (S.NOTICE, A.PUBLISH): Transition(S.CLOSED, CENTRE_UP, CENTRE, STOP_CLOCK),
    # reopen after closing or rejection
    (S.CLOSED, A.REOPEN): Transition(
        S.ACCEPTED, CENTRE_UP, CENTRE, "dispatch", needs_note=True, becomes=_INTO_LOOP
    ),
    (S.REJECTED, A.REOPEN): Transition(
        S.ACCEPTED, CENTRE_UP, CENTRE, "dispatch", needs_note=True, becomes=_INTO_LOOP
    ),
    (S.SUSPENDED, A.RESUME): Transition(PREVIOUS, CENTRE_UP, KEEP, RESUME_CLOCK),
}

for _status in (S.SUBMITTED, S.ACCEPTED, S.STREET_REVIEW, S.DISTRICT_REVIEW):
    TRANSITIONS[(_status, A.REJECT)] = Transition(S.REJECTED, CENTRE_UP, KEEP, STOP_CLOCK, needs_note=True)
    TRANSITIONS[(_status, A.SUSPEND)] = Transition(S.SUSPENDED, CENTRE_UP, KEEP, KEEP_CLOCK, needs_note=True)
TRANSITIONS[(S.DISPATCHED, A.SUSPEND)] = Transition(S.SUSPENDED, CENTRE_UP, KEEP, KEEP_CLOCK, needs_note=True)
for _status in (S.SUBMITTED, S.ACCEPTED, S.ON_SITE):
    TRANSITIONS[(_status, A.MERGE)] = Transition(S.MERGED, CENTRE_UP, KEEP, STOP_CLOCK)
for _status in Status.values:
    if _status not in (S.CLOSED, S.REJECTED, S.MERGED, S.SUSPENDED):
        TRANSITIONS[(_status, A.EXTEND)] = Transition(
            _status, CENTRE_UP | DEPARTMENT, KEEP, EXTEND_CLOCK, needs_note=True
        )

# Actions that are not table transitions: they are written by their own services.
NON_TABLE_ACTIONS = frozenset({A.REPORT, A.ALERT, A.OVERDUE, A.RATE})

# Default time limits per track and step; a category's `limits` override them by step.
DEFAULT_LIMITS: dict[str, dict[str, tuple[int, str]]] = {
    T.ROUTINE: {
        "accept": (4, "hours"),
        "on_site": (1, "days"),
        "dispatch": (4, "hours"),
        "total": (2, "days"),
    },
    T.COORDINATION: {
        "accept": (4, "hours"),
        "dispatch": (4, "hours"),
        "handle": (5, "days"),
        "verify": (1, "days"),
        "feedback": (1, "days"),
        "total": (10, "days"),
    },
    T.EMERGENCY: {
        "accept": (1, "hours"),
        "emergency": (4, "hours"),
        "dispatch": (4, "hours"),
        "total": (1, "days"),
    },
    T.APPROVAL: {
        "accept": (1, "days"),
        "review": (2, "days"),
        "street_review": (5, "days"),
        "district_review": (10, "days"),
        "notice": (5, "days"),
        "total": (30, "days"),
    },
}
FALLBACK_LIMIT = (5, "days")


def transition_for(status: str, action: str) -> Transition | None:
    return TRANSITIONS.get((status, action))


def actions_from(status: str) -> list[str]:
    return [action for (from_status, action) in TRANSITIONS if from_status == status]


def limit_for(category_limits: dict, track: str, step: str) -> tuple[int, str]:
    custom = (category_limits or {}).get(step)
    if isinstance(custom, dict) and "amount" in custom and "unit" in custom:
        return int(custom["amount"]), str(custom["unit"])
    return DEFAULT_LIMITS.get(track, {}).get(step, FALLBACK_LIMIT)

"""Who may see and do what: capabilities granted by roles, each over the subtree of an area.

`scope_codes(user, capability)` is the single source of a user's reach; the querysets'
`visible_to(user)` and every permission check are built on it.
"""

from __future__ import annotations

from typing import Any

from gridwork.accounts.models import Role, RoleAssignment

GRID_CODE_LENGTH = 15  # a grid's code: 15 digits (district 6, street 9, community 12)

REGISTER_VIEW = "register.view"
REGISTER_CHANGE = "register.change"
REGISTER_REVEAL = "register.reveal"
REGISTER_EXPORT = "register.export"
AREAS_VIEW = "areas.view"
AREAS_CHANGE = "areas.change"
AUDIT_VIEW = "audit.view"
ACCOUNTS_MANAGE = "accounts.manage"
CASES_VIEW = "cases.view"
CASES_REPORT = "cases.report"
CASES_CONFIGURE = "cases.configure"
CASES_PUBLISH = "cases.publish"
REGISTER_BREAK_GLASS = "register.break_glass"

_REGISTER_READERS = {
    Role.GRID_MEMBER,
    Role.GRID_WORKER,
    Role.ACCEPTANCE_CENTRE,
    Role.STREET_STAFF,
    Role.DISTRICT_STAFF,
}

CAPABILITIES: dict[str, frozenset[str]] = {
    REGISTER_VIEW: frozenset(_REGISTER_READERS),
    REGISTER_CHANGE: frozenset({Role.GRID_MEMBER, Role.GRID_WORKER, Role.ACCEPTANCE_CENTRE}),
    REGISTER_REVEAL: frozenset(
        {Role.GRID_WORKER, Role.ACCEPTANCE_CENTRE, Role.STREET_STAFF, Role.DISTRICT_STAFF}
    ),
    # A bulk export is a list of a whole area leaving the system: the roles accountable for an
    # area's register, not the grid members who help keep it.
    REGISTER_EXPORT: frozenset(
        {Role.GRID_WORKER, Role.ACCEPTANCE_CENTRE, Role.STREET_STAFF, Role.DISTRICT_STAFF}
    ),
    AREAS_VIEW: frozenset(_REGISTER_READERS | {Role.DEPARTMENT_HANDLER}),
    AREAS_CHANGE: frozenset({Role.DISTRICT_STAFF}),
    AUDIT_VIEW: frozenset({Role.AUDITOR}),
    ACCOUNTS_MANAGE: frozenset({Role.SYSADMIN}),
    # Department handlers see only the cases dispatched to their department: see department_scopes.
    CASES_VIEW: frozenset(_REGISTER_READERS),
    CASES_REPORT: frozenset(_REGISTER_READERS),
    CASES_CONFIGURE: frozenset({Role.DISTRICT_STAFF}),
    # Moderating the public board: a text about a case that the public may read, in place of the
    # resident's description (which may be about a neighbour). The roles that accept cases.
    CASES_PUBLISH: frozenset({Role.ACCEPTANCE_CENTRE, Role.STREET_STAFF, Role.DISTRICT_STAFF}),
    # Break the glass (registry.break_glass): opening one protected key person outside one's areas,
    # for a stated reason, for a few hours. Street and district staff: they coordinate across the
    # grids and communities below them and answer for emergencies that cross those lines (a person
    # under community correction who turns up in the next street). Not grid members, workers or
    # centres: the many accounts closest to the neighbours, where curiosity is likeliest and their
    # own grid is their whole duty. Not department handlers: they read no register at all, only
    # the cases dispatched to them, and a case carries what they need; a glass for them would be
    # a way around that separation rather than past an area's line. The capability is held
    # "somewhere"; the record it opens lies by definition outside the holder's areas.
    REGISTER_BREAK_GLASS: frozenset({Role.STREET_STAFF, Role.DISTRICT_STAFF}),
}

_CACHE_ATTR = "_gridwork_assignments"
_SCOPES_ATTR = "_gridwork_scopes"
# Set on the user object of a request made with an API token: the one assignment the token acts
# with (None: no role at all). Kept apart from the cache, so forgetting the cache keeps the limit.
_TOKEN_ATTR = "_gridwork_token_assignment"  # noqa: S105 - an attribute name, not a secret


def act_with_assignment_only(user: Any, assignment_id: int | None) -> None:
    """Limit this user object to one of its role assignments (or none): an API token's scope."""
    setattr(user, _TOKEN_ATTR, assignment_id)
    forget_assignments(user)


def active_assignments(user: Any) -> list[RoleAssignment]:
    """The user's roles in force today, read once per user object (so once per request)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        query = RoleAssignment.objects.active().filter(user_id=user.pk).select_related("area")
        if hasattr(user, _TOKEN_ATTR):
            query = query.filter(pk=getattr(user, _TOKEN_ATTR))  # pk=None matches nothing
        cached = list(query)
        setattr(user, _CACHE_ATTR, cached)
    return cached


def forget_assignments(user: Any) -> None:
    """After a grant or revoke: the user object reads its roles again at the next question."""
    for attr in (_CACHE_ATTR, _SCOPES_ATTR):
        if hasattr(user, attr):
            delattr(user, attr)


def minimal_codes(codes: set[str]) -> list[str]:
    """Drop codes already covered by a shorter prefix in the set."""
    result: list[str] = []
    for code in sorted(codes, key=len):
        if not any(code.startswith(kept) for kept in result):
            result.append(code)
    return sorted(result)


def _scope(user: Any, capability: str) -> tuple[str, ...]:
    # Asked many times a page (each link, each child area): worked out once per user object,
    # alongside the roles it comes from (forget_assignments drops both).
    known = getattr(user, _SCOPES_ATTR, None)
    if known is None:
        known = {}
        if user is not None:
            setattr(user, _SCOPES_ATTR, known)
    codes = known.get(capability)
    if codes is None:
        roles = CAPABILITIES[capability]
        codes = tuple(minimal_codes({a.area_id for a in active_assignments(user) if a.role in roles}))
        known[capability] = codes
    return codes


def scope_codes(user: Any, capability: str) -> list[str]:
    return list(_scope(user, capability))


def grid_codes(user: Any, capability: str) -> list[str]:
    """The grids where the user holds the capability by a grid role (not those under a community
    or street role: field work is done by the grid's own team), in code order."""
    return sorted(code for code in _scope(user, capability) if len(code) == GRID_CODE_LENGTH)


def has_capability(user: Any, capability: str) -> bool:
    return bool(_scope(user, capability))


def can(user: Any, capability: str, area_code: str) -> bool:
    """Whether the user holds the capability at an area or above it."""
    return area_code.startswith(_scope(user, capability))


def roles_of(user: Any) -> set[str]:
    return {a.role for a in active_assignments(user)}


def department_scopes(user: Any) -> list[tuple[str, str]]:
    """(area code, department) of each department-handler role the user holds today."""
    return sorted(
        {
            (a.area_id, a.department)
            for a in active_assignments(user)
            if a.role == Role.DEPARTMENT_HANDLER and a.department
        }
    )


# Field work, patrols (issue 14): who walks a grid and records the patrol, and who reads patrols.
FIELDWORK_PATROL = "fieldwork.patrol"
FIELDWORK_PATROL_VIEW = "fieldwork.patrol_view"
CAPABILITIES[FIELDWORK_PATROL] = frozenset({Role.GRID_WORKER, Role.GRID_MEMBER})
CAPABILITIES[FIELDWORK_PATROL_VIEW] = frozenset(_REGISTER_READERS)
# Field work, part "visits" (issue 14): visits, the Grid People's Memo, today's plan, offline sync.
# Recording is the grid's own people; reading goes up the tree like the register it is about.
FIELDWORK_VISITS_RECORD = "fieldwork.visits.record"
FIELDWORK_VISITS_VIEW = "fieldwork.visits.view"
CAPABILITIES[FIELDWORK_VISITS_RECORD] = frozenset({Role.GRID_MEMBER, Role.GRID_WORKER})
CAPABILITIES[FIELDWORK_VISITS_VIEW] = frozenset(_REGISTER_READERS)
# Field work, part "reports" (work logs, weekly reports, meetings, the problem-feedback register).
FIELDWORK_REPORTS_VIEW = "fieldwork.reports.view"
# Writing one's own work log, recording meetings and their decisions, raising a problem.
FIELDWORK_REPORTS_RECORD = "fieldwork.reports.record"
# Writing and submitting a grid's weekly report: the grid worker answers for it.
FIELDWORK_REPORTS_SUBMIT = "fieldwork.reports.submit"
# Reviewing weekly reports (accept, return), forwarding their parts, answering raised problems.
FIELDWORK_REPORTS_REVIEW = "fieldwork.reports.review"

CAPABILITIES[FIELDWORK_REPORTS_VIEW] = frozenset(_REGISTER_READERS)
CAPABILITIES[FIELDWORK_REPORTS_RECORD] = frozenset({Role.GRID_MEMBER, Role.GRID_WORKER})
CAPABILITIES[FIELDWORK_REPORTS_SUBMIT] = frozenset({Role.GRID_WORKER})
CAPABILITIES[FIELDWORK_REPORTS_REVIEW] = frozenset({Role.ACCEPTANCE_CENTRE, Role.STREET_STAFF})

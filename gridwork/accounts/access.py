"""Who may see and do what: capabilities granted by roles, each over the subtree of an area.

`scope_codes(user, capability)` is the single source of a user's reach; the querysets'
`visible_to(user)` and every permission check are built on it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection
from django.utils import timezone

from gridwork.accounts.models import Role, RoleAssignment
from gridwork.areas.models import Area

REGISTER_VIEW = "register.view"
REGISTER_CHANGE = "register.change"
REGISTER_REVEAL = "register.reveal"
AREAS_VIEW = "areas.view"
AREAS_CHANGE = "areas.change"
AUDIT_VIEW = "audit.view"
ACCOUNTS_MANAGE = "accounts.manage"
CASES_VIEW = "cases.view"
CASES_REPORT = "cases.report"
CASES_CONFIGURE = "cases.configure"

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
    AREAS_VIEW: frozenset(_REGISTER_READERS | {Role.DEPARTMENT_HANDLER}),
    AREAS_CHANGE: frozenset({Role.DISTRICT_STAFF}),
    AUDIT_VIEW: frozenset({Role.AUDITOR}),
    ACCOUNTS_MANAGE: frozenset({Role.SYSADMIN}),
    # Department handlers see only the cases dispatched to their department: see department_scopes.
    CASES_VIEW: frozenset(_REGISTER_READERS),
    CASES_REPORT: frozenset(_REGISTER_READERS),
    CASES_CONFIGURE: frozenset({Role.DISTRICT_STAFF}),
}

_CACHE_ATTR = "_gridwork_assignments"
_SCOPES_ATTR = "_gridwork_scopes"
# The request's session, attached to its signed-in user by SessionAccessMiddleware: the roles are
# kept there between requests, stamped with the user's roles_version and the day they were read.
SESSION_ATTR = "_gridwork_session"
_SESSION_KEY = "_gw_roles"
# Set on a user whose row was read from the database for this request (the API's bearer token):
# its roles_version is then current, so roles kept in this process under that version are too.
FRESH_ROW_ATTR = "_gridwork_fresh_row"
# The roles of such users, per process, by (user, roles_version, day). Every grant and revoke
# bumps roles_version in the database, so an entry is never found again once the roles change, in
# this process or any other. Filled only outside a transaction: rows read inside one may be rolled
# back while the version on the user object stays the same.
_PROCESS_ROLES: dict[tuple[Any, ...], list[list[Any]]] = {}
_PROCESS_ROLES_MAX = 2048


def active_assignments(user: Any) -> list[RoleAssignment]:
    """The user's roles in force today, read once per user object (so once per request), and
    once per session while the roles stay unchanged (the session's copy is checked against the
    user row's roles_version, which every grant and revoke bumps, and against today's date)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        session = getattr(user, SESSION_ATTR, None)
        cached = _from_session(user, session) if session is not None else None
        shared = _may_share(user)
        if cached is None and shared:
            kept = _PROCESS_ROLES.get(tuple(_stamp(user)))
            cached = _assignments(user, kept) if kept is not None else None
        if cached is None:
            cached = list(RoleAssignment.objects.active().filter(user_id=user.pk).select_related("area"))
            if session is not None:
                _to_session(user, session, cached)
            if shared:
                if len(_PROCESS_ROLES) >= _PROCESS_ROLES_MAX:
                    _PROCESS_ROLES.clear()
                _PROCESS_ROLES[tuple(_stamp(user))] = _rows(cached)
        setattr(user, _CACHE_ATTR, cached)
    return cached


def forget_assignments(user: Any) -> None:
    for attr in (_CACHE_ATTR, _SCOPES_ATTR):
        if hasattr(user, attr):
            delattr(user, attr)
    for attr in (SESSION_ATTR, FRESH_ROW_ATTR):
        if hasattr(user, attr):
            # The in-memory roles_version is now behind the row: read from the database from here on.
            delattr(user, attr)


def _may_share(user: Any) -> bool:
    return (
        getattr(user, FRESH_ROW_ATTR, False)
        and getattr(user, "roles_version", None) is not None
        and not connection.in_atomic_block
    )


def _stamp(user: Any) -> list[Any]:
    return [user.pk, getattr(user, "roles_version", None), timezone.localdate().isoformat()]


def _rows(assignments: list[RoleAssignment]) -> list[list[Any]]:
    return [
        [
            a.pk,
            a.role,
            a.area_id,
            a.area.name,
            a.area.level,
            a.area.rural,
            a.department,
            a.valid_from.isoformat() if a.valid_from else None,
            a.valid_to.isoformat() if a.valid_to else None,
        ]
        for a in assignments
    ]


# The role records made from kept rows, per process: made once per user and set of roles, not on
# every request (only read by callers; each call gets its own list).
_BUILT: dict[tuple[Any, ...], list[RoleAssignment]] = {}


def _assignments(user: Any, rows: list[list[Any]]) -> list[RoleAssignment]:
    key = (user.pk, *map(tuple, rows))
    built = _BUILT.get(key)
    if built is None:
        built = _build_assignments(user, rows)
        if len(_BUILT) >= _PROCESS_ROLES_MAX:
            _BUILT.clear()
        _BUILT[key] = built
    return list(built)


def _build_assignments(user: Any, rows: list[list[Any]]) -> list[RoleAssignment]:
    result = []
    for pk, role, code, name, level, rural, department, valid_from, valid_to in rows:
        assignment = RoleAssignment(
            pk=pk,
            user_id=user.pk,
            role=role,
            department=department,
            valid_from=dt.date.fromisoformat(valid_from) if valid_from else None,
            valid_to=dt.date.fromisoformat(valid_to) if valid_to else None,
        )
        assignment.area = Area(code=code, name=name, level=level, rural=rural)
        for obj in (assignment, assignment.area):
            obj._state.adding, obj._state.db = False, "default"
        result.append(assignment)
    return result


def _to_session(user: Any, session: Any, assignments: list[RoleAssignment]) -> None:
    session[_SESSION_KEY] = {"stamp": _stamp(user), "rows": _rows(assignments)}


def _from_session(user: Any, session: Any) -> list[RoleAssignment] | None:
    kept = session.get(_SESSION_KEY)
    if not isinstance(kept, dict) or kept.get("stamp") != _stamp(user):
        return None
    return _assignments(user, kept["rows"])


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

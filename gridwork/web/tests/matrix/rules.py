"""The vocabulary of the authorization matrix: who a route serves, and what each principal gets.

A `Rule` names the principals a route serves (`who`) and its success answer (`ok`); a signed-in
principal it does not serve gets `refused` (403), the anonymous one its surface's answer (the login
redirect of pages and the back office, 401 of the API), and a served principal asking about an
object outside its scope gets `hidden` (404, as for a missing object). `special` gives a
principal's answer outright, as one status or a pair (in scope, outside it). `pending` holds the
expectations the code does not meet yet, each with the part of issue 12 that fixes it: those
cases run as strict xfails.

The API is asked twice by every signed-in principal: with its session and with an API token acting
with its role. `token` gives the answers that differ by token (a reveal or an export needs a
second factor verified in a session, which a token never has).

The API's convention differs from the pages': a role without the capability meets the empty scope,
so an object answers 404 as a missing one (`api_object`) and a list answers 200 with nothing in it
(`api_list`); either way the answer must not show a record of the scope asked about.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

ANONYMOUS, NO_ROLE = "anonymous", "no_role"
MEMBER, WORKER, CENTRE = "grid_member", "grid_worker", "acceptance_centre"
DEPARTMENT, STREET, DISTRICT = "department_handler", "street_staff", "district_staff"
AUDITOR, SYSADMIN = "auditor", "sysadmin"

EVERYONE = frozenset(
    {ANONYMOUS, NO_ROLE, MEMBER, WORKER, CENTRE, DEPARTMENT, STREET, DISTRICT, AUDITOR, SYSADMIN}
)
SIGNED_IN = EVERYONE - {ANONYMOUS}
REGISTER_READERS = frozenset({MEMBER, WORKER, CENTRE, STREET, DISTRICT})
REGISTER_WRITERS = frozenset({MEMBER, WORKER, CENTRE})
REVEALERS = frozenset({WORKER, CENTRE, STREET, DISTRICT})
EXPORTERS = REVEALERS
AREA_READERS = REGISTER_READERS | {DEPARTMENT}
CASE_STAFF = REGISTER_READERS | {DEPARTMENT}
CASE_DECIDERS = frozenset({CENTRE, STREET, DISTRICT, DEPARTMENT})
CONFIGURERS = frozenset({DISTRICT})
AUDITORS = frozenset({AUDITOR})
ACCOUNT_MANAGERS = frozenset({SYSADMIN})
BACK_OFFICE = frozenset({CENTRE, STREET, DISTRICT, AUDITOR, SYSADMIN})

SEPARATION = "separation of duties (login part)"

Status = int | tuple[int, int]


@dataclass(frozen=True)
class Rule:
    who: frozenset[str]
    ok: int = 200
    scoped: bool = True
    refused: int = 403
    hidden: int = 404
    anon: int | None = None
    special: Mapping[str, Status] = field(default_factory=dict)
    pending: Mapping[str, str] = field(default_factory=dict)
    # Whether an answer outside the scope must equal the one about a missing object.
    like_missing: bool = True
    # principal → answer by API token where it differs from the session's
    token: Mapping[str, Status] = field(default_factory=dict)

    def expect(
        self, principal: str, side: str, anon_default: int, by_token: bool = False
    ) -> tuple[int, bool]:
        """(status, whether it is a refusal) for a principal asking in or outside its scope."""
        refused = principal not in self.who or (self.scoped and side != "in")
        answers = {**self.special, **self.token} if by_token else self.special
        if principal in answers:
            value = answers[principal]
            status = value if isinstance(value, int) else value[0 if side == "in" else 1]
            return status, refused
        if principal not in self.who:
            if principal == ANONYMOUS:
                return (self.anon if self.anon is not None else anon_default), True
            return self.refused, True
        if self.scoped and side != "in":
            return self.hidden, True
        return self.ok, False


class Ctx:
    """What a body or query is built from: the district, the principal and the side asked about."""

    def __init__(self, district: Any, principal: str, side: str, target: Callable[[str], str]) -> None:
        self.d, self.principal, self.side, self.t = district, principal, side, target


Body = Callable[[Ctx], dict[str, Any]]


@dataclass(frozen=True)
class Entry:
    rule: Rule
    params: Mapping[str, str] = field(default_factory=dict)  # path parameter → object kind or "=literal"
    query: Mapping[str, str] = field(default_factory=dict)  # query parameter → "@kind" or a literal
    body: Body | None = None
    encoding: str = "form"  # form, multipart or json
    # A list, search or autocomplete: its answer in scope must show a record of the scope, so
    # that the check for records outside it is not passed by an answer that lists nothing.
    lists: bool = False


def api_object(who: frozenset[str], **options: Any) -> Rule:
    """An API operation on one object: without the capability, the object is as missing (404)."""
    return Rule(who, **{"refused": 404, **options})


def api_list(who: frozenset[str], **options: Any) -> Rule:
    """An API list: without the capability or outside the scope, a 200 that lists nothing of it."""
    return Rule(who, **{"refused": 200, "hidden": 200, **options})


def second_factor(who: frozenset[str]) -> dict[str, Status]:
    """By token, a reveal or export is refused (403) before any record is looked up: in scope and
    outside it alike, so the refusal tells nothing of the record."""
    return dict.fromkeys(who, 403)


def _no_body(c: Ctx) -> dict[str, Any]:
    return {}


NO_BODY: Body = _no_body
REASON = {"reason": "核对身份信息"}
SIGNED = Rule(SIGNED_IN, scoped=False)
NOT_BACK_OFFICE = SIGNED_IN - BACK_OFFICE

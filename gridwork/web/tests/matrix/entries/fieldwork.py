"""Entries of field work (issue 14): patrols, visits and memos, today's plan, the offline queue,
work logs, weekly reports, meetings and the problem-feedback register; pages and API.

Who: a grid's worker and members patrol, visit, write memos and work logs, record meetings and
raise problems; the worker alone answers for the weekly report; the acceptance centre and the
street review reports and answer problems; everyone who reads the register reads field work up the
tree. The fixture's objects are in gridwork/web/tests/matrix/district_fieldwork.py.

The pages' convention (as for the case actions): an action the service refuses to a served
principal on a record in its scope answers with the page it came from and a message (302), the
record outside the scope 404 as a missing one.
"""

from __future__ import annotations

from gridwork.web.tests.matrix.district import point
from gridwork.web.tests.matrix.rules import (
    CENTRE,
    DEPARTMENT,
    DISTRICT,
    EVERYONE,
    MEMBER,
    REGISTER_READERS,
    SIGNED,
    STREET,
    WORKER,
    Ctx,
    Entry,
    Rule,
    api_list,
    api_object,
)

PATROLLERS = frozenset({MEMBER, WORKER})
READERS = REGISTER_READERS
SUBMITTERS = frozenset({WORKER})
REVIEWERS = frozenset({CENTRE, STREET})
PUBLIC = Rule(EVERYONE, scoped=False)
# Those who read a record but may not do this to it: in scope 403 (they know it exists), outside
# it 404 as a missing one.
SEE_ONLY = (403, 404)
# The page's answer to an action its service refuses in scope: back to the page with a message.
BACK = (302, 404)


def only_see(who: frozenset[str], *principals: str) -> dict[str, tuple[int, int]]:
    return dict.fromkeys(sorted(set(principals) - who), SEE_ONLY)


def sent_back(*principals: str) -> dict[str, tuple[int, int]]:
    return dict.fromkeys(principals, BACK)


# A write naming a grid: where the grid is not visible at all, as a missing one (404); a reader of
# it who may not write there, 403.
def grid_write(who: frozenset[str], ok: int = 201, department_sees: bool = True) -> Rule:
    seeing = (*READERS, DEPARTMENT) if department_sees else READERS
    return Rule(who, ok=ok, refused=404, special=only_see(who, *seeing))


# An area filter of the visits router: an area one cannot see is missing (404); one that a
# department sees but whose people it does not read, 403.
AREA_FILTERED = Rule(READERS, refused=404, special={DEPARTMENT: (403, 404)})


def _here(c: Ctx) -> dict:
    lon, lat = point(c.t("grid"))
    return {"lon": lon, "lat": lat}


def _finding(c: Ctx) -> dict:
    return {"note": "路面破损", **_here(c)}


def _visit(c: Ctx) -> dict:
    return {"person_id": c.t("twin"), "kind": "phone", "findings": "身体尚好"}


def _memo(c: Ctx) -> dict:
    return {"text": "居民反映楼道灯坏", "subject": "place", "grid": c.t("grid")}


def _meeting(c: Ctx) -> dict:
    return {"grid": c.t("grid"), "held_on": "2026-12-01", "title": "网格例会"}


def _problem(c: Ctx) -> dict:
    return {"grid": c.t("grid"), "subject": "垃圾清运不及时"}


PAGES: dict[str, Entry] = {
    "GET web:patrol_now": Entry(Rule(PATROLLERS, scoped=False)),
    "POST web:patrol_start": Entry(
        Rule(PATROLLERS, ok=302, hidden=302), body=lambda c: {"grid": c.t("grid")}
    ),
    "GET web:patrol": Entry(Rule(READERS), {"pk": "patrol"}),
    "POST web:patrol_end": Entry(Rule(PATROLLERS, ok=302), {"pk": "patrol"}),
    "POST web:patrol_finding_add": Entry(
        Rule(PATROLLERS, ok=302), {"pk": "patrol"}, body=_finding, encoding="multipart"
    ),
    "POST web:patrol_finding_case": Entry(
        Rule(READERS, ok=302), {"pk": "finding"}, body=lambda c: {"category": "E0104"}
    ),
    "GET web:patrol_finding_photo": Entry(Rule(READERS), {"pk": "finding"}),
    "GET web:patrol_coverage": Entry(Rule(READERS), query={"area": "@grid"}),
    "GET web:fieldwork_plan": Entry(Rule(PATROLLERS, scoped=False)),
    # The form names its person: an unknown one, or one outside the area, leaves it blank (200);
    # sent, such a person is answered on the form like a missing one.
    "GET web:fieldwork_visit": Entry(Rule(PATROLLERS, hidden=200), query={"person_id": "@twin"}),
    # (The form shows the number sent, which differs from the missing one's: the check for what
    # lies outside still holds.)
    "POST web:fieldwork_visit": Entry(Rule(PATROLLERS, ok=302, hidden=200, like_missing=False), body=_visit),
    "GET web:fieldwork_memo": Entry(Rule(PATROLLERS, scoped=False)),
    "POST web:fieldwork_memo": Entry(Rule(PATROLLERS, ok=302, hidden=200), body=_memo),
    "GET web:fieldwork_report": Entry(Rule(PATROLLERS, scoped=False)),
    # A place outside one's grids is refused on the form; grid boundaries are public (the atlas).
    "POST web:fieldwork_report": Entry(
        Rule(PATROLLERS, ok=302, hidden=200, like_missing=False),
        body=lambda c: {"category": "E0104", "title": "井盖缺失", **_here(c)},
    ),
    "GET web:fieldwork_memos": Entry(Rule(READERS, scoped=False), lists=True),
    # An area's visits: one out of reach is as missing; the latest visits name their people.
    "GET web:fieldwork_visits_overview": Entry(Rule(READERS), query={"area": "@grid"}, lists=True),
    "POST web:fieldwork_memo_become": Entry(
        Rule(PATROLLERS, ok=302), {"pk": "memo", "what": "=case"}, body=lambda c: {"category": "E0104"}
    ),
    "GET web:fieldwork_sw": Entry(PUBLIC),
    "GET web:fieldwork_manifest": Entry(PUBLIC),
    # A report's row is its grid and week: no text of it to look for.
    "GET web:fieldwork_reports": Entry(Rule(READERS, scoped=False)),
    "POST web:fieldwork_report_start": Entry(
        Rule(SUBMITTERS, ok=302), body=lambda c: {"grid": c.t("grid"), "week": "2026-11-02"}
    ),
    "GET web:fieldwork_weekly_report": Entry(Rule(READERS), {"pk": "report"}),
    "POST web:fieldwork_report_act": Entry(
        Rule(REVIEWERS, ok=302, special=sent_back(MEMBER, WORKER, DISTRICT)),
        {"pk": "report_submitted", "action": "=accept"},
        body=lambda c: {"note": ""},
    ),
    "GET web:fieldwork_lapses": Entry(Rule(REVIEWERS, scoped=False)),
    "GET web:fieldwork_forwarded": Entry(SIGNED),
    "GET web:fieldwork_worklog": Entry(Rule(PATROLLERS, scoped=False)),
    "POST web:fieldwork_worklog": Entry(
        Rule(PATROLLERS, ok=302), body=lambda c: {"grid": c.t("grid"), "text": "走访三户"}
    ),
    "GET web:fieldwork_meetings": Entry(Rule(READERS, scoped=False), lists=True),
    "POST web:fieldwork_meetings": Entry(Rule(PATROLLERS, ok=302), body=_meeting),
    "GET web:fieldwork_meeting": Entry(Rule(READERS), {"pk": "meeting"}),
    "POST web:fieldwork_meeting": Entry(
        Rule(PATROLLERS, ok=302, special=sent_back(CENTRE, STREET, DISTRICT)),
        {"pk": "meeting"},
        body=lambda c: {"text": "下周清理楼道", "outcome": "note"},
    ),
    # A task's owner may be anyone of the grid's team: the service decides, the page says so.
    "POST web:fieldwork_task_done": Entry(
        Rule(PATROLLERS, ok=302, special=sent_back(CENTRE, STREET, DISTRICT)), {"pk": "task"}
    ),
    "GET web:fieldwork_problems": Entry(Rule(READERS, scoped=False), lists=True),
    "POST web:fieldwork_problems": Entry(
        Rule(PATROLLERS, ok=302, special=sent_back(CENTRE, STREET, DISTRICT)), body=_problem
    ),
    "POST web:fieldwork_problem_act": Entry(
        Rule(REVIEWERS, ok=302, special=sent_back(MEMBER, WORKER, DISTRICT)),
        {"pk": "problem", "action": "=answer"},
        body=lambda c: {"answer": "已安排"},
    ),
}


def _api(method: str, path: str, entry: Entry) -> dict[str, Entry]:
    return {f"{method} /api/v1/{path}": entry}


def _json(rule: Rule, params: dict | None = None, body=None) -> Entry:  # type: ignore[no-untyped-def]
    return Entry(rule, params or {}, body=body or (lambda c: {}), encoding="json")


def acting(who: frozenset[str], ok: int = 200) -> Rule:
    """An action on a record: its readers who may not take it 403 in scope, the others 404."""
    return api_object(who, ok=ok, special=only_see(who, *READERS))


# Only the patrol's own worker adds to it or ends it; the grid's member sees it but may not.
WORKERS = frozenset({WORKER})
OWN_PATROL = acting(WORKERS)
MEMO_ACTION = acting(PATROLLERS)
READ_ONLY = (CENTRE, STREET, DISTRICT)
FW = "fieldwork"
API: dict[str, Entry] = {
    # patrols
    # A patrol's row is its grid, worker and figures: no text of it to look for.
    **_api("GET", "patrols", Entry(api_list(READERS), query={"grid": "@grid"})),
    # The worker's own patrol is under way already (409); the member starts one.
    **_api(
        "POST",
        "patrols",
        _json(
            Rule(PATROLLERS, ok=201, hidden=422, special={WORKER: (409, 422)}),
            body=lambda c: {"grid": c.t("grid")},
        ),
    ),
    # One's own patrol under way: none is as missing, for those who do not patrol too.
    **_api("GET", "patrols/current", Entry(api_object(PATROLLERS, scoped=False, special={MEMBER: 404}))),
    **_api("GET", "patrols/{patrol_id}", Entry(api_object(READERS), {"patrol_id": "patrol"})),
    **_api("GET", "patrols/{patrol_id}/fixes", Entry(api_object(READERS), {"patrol_id": "patrol"})),
    **_api(
        "POST",
        "patrols/{patrol_id}/fixes",
        _json(OWN_PATROL, {"patrol_id": "patrol"}, body=lambda c: {"fixes": []}),
    ),
    **_api("POST", "patrols/{patrol_id}/end", _json(OWN_PATROL, {"patrol_id": "patrol"})),
    **_api(
        "POST",
        "patrols/{patrol_id}/findings",
        Entry(
            api_object(WORKERS, ok=201, special=only_see(WORKERS, *READERS)),
            {"patrol_id": "patrol"},
            body=_finding,
            encoding="multipart",
        ),
    ),
    **_api(
        "POST",
        "patrol-findings/{finding_id}/case",
        _json(api_object(READERS, ok=201), {"finding_id": "finding"}, body=lambda c: {"category": "E0104"}),
    ),
    **_api("GET", "patrol-coverage", Entry(api_object(READERS), query={"area": "@grid"})),
    # visits, memos, the plan and the offline queue
    **_api("GET", f"{FW}/due", Entry(AREA_FILTERED, query={"area": "@grid"}, lists=True)),
    **_api("GET", f"{FW}/plan", Entry(Rule(PATROLLERS, scoped=False))),
    **_api("GET", f"{FW}/visits", Entry(AREA_FILTERED, query={"area": "@grid"}, lists=True)),
    # A visit names its person: one outside the scope is as missing (422), as a household's is.
    **_api(
        "POST",
        f"{FW}/visits",
        _json(
            Rule(PATROLLERS, ok=201, refused=422, hidden=422, special={p: (403, 422) for p in READ_ONLY}),
            body=_visit,
        ),
    ),
    **_api("GET", f"{FW}/memos", Entry(AREA_FILTERED, query={"area": "@grid"}, lists=True)),
    # A memo about a place names its grid: boundaries are public, so that names no record.
    **_api(
        "POST", f"{FW}/memos", _json(Rule(PATROLLERS, ok=201, hidden=403, like_missing=False), body=_memo)
    ),
    **_api(
        "POST",
        f"{FW}/memos/{{memo_id}}/case",
        _json(MEMO_ACTION, {"memo_id": "memo"}, body=lambda c: {"category": "E0104"}),
    ),
    **_api("POST", f"{FW}/memos/{{memo_id}}/visit", _json(MEMO_ACTION, {"memo_id": "memo"})),
    **_api(
        "POST",
        f"{FW}/memos/{{memo_id}}/register-note",
        _json(MEMO_ACTION, {"memo_id": "memo"}, body=lambda c: {"note": "户主已搬走"}),
    ),
    **_api("POST", f"{FW}/sync", _json(Rule(PATROLLERS, scoped=False), body=lambda c: {"entries": []})),
    **_api("GET", f"{FW}/sync/conflicts", Entry(SIGNED)),
    **_api(
        "POST",
        f"{FW}/sync/conflicts/{{client_id}}/settle",
        _json(Rule(PATROLLERS), {"client_id": "conflict"}, body=lambda c: {"keep": False}),
    ),
    # work logs, weekly reports, meetings, problems
    **_api("GET", f"{FW}/business-lines", Entry(SIGNED)),
    **_api("GET", f"{FW}/figures", Entry(SIGNED)),
    # A day's figures of a grid for anyone who reads it; the lines are the caller's own.
    **_api("GET", f"{FW}/worklog", Entry(api_object(READERS), query={"grid": "@grid"})),
    **_api(
        "POST",
        f"{FW}/worklog/{{day}}/lines",
        # (A work log is the grid's field work, which a department does not read: as missing.)
        _json(
            grid_write(PATROLLERS, department_sees=False),
            {"day": "=2026-12-01"},
            body=lambda c: {"text": "走访", "grid": c.t("grid")},
        ),
    ),
    **_api("GET", f"{FW}/weekly-reports", Entry(api_list(READERS), query={"area": "@grid"})),
    **_api(
        "POST",
        f"{FW}/weekly-reports",
        _json(
            grid_write(SUBMITTERS, ok=200), body=lambda c: {"grid": c.t("grid"), "week_start": "2026-11-02"}
        ),
    ),
    **_api("GET", f"{FW}/weekly-reports/{{report_id}}", Entry(api_object(READERS), {"report_id": "report"})),
    **_api(
        "PATCH",
        f"{FW}/weekly-reports/{{report_id}}",
        _json(acting(SUBMITTERS), {"report_id": "report"}, body=lambda c: {"summary": "本周平稳"}),
    ),
    **_api(
        "POST",
        f"{FW}/weekly-reports/{{report_id}}/submit",
        _json(acting(SUBMITTERS), {"report_id": "report"}),
    ),
    **_api(
        "POST",
        f"{FW}/weekly-reports/{{report_id}}/accept",
        _json(acting(REVIEWERS), {"report_id": "report_submitted"}),
    ),
    **_api(
        "POST",
        f"{FW}/weekly-reports/{{report_id}}/return",
        _json(acting(REVIEWERS), {"report_id": "report_submitted"}, body=lambda c: {"note": "请补充"}),
    ),
    **_api(
        "POST",
        f"{FW}/weekly-reports/{{report_id}}/forward",
        _json(acting(REVIEWERS), {"report_id": "report_accepted"}),
    ),
    **_api("GET", f"{FW}/forwarded", Entry(SIGNED)),
    **_api("GET", f"{FW}/report-lapses", Entry(api_list(REVIEWERS), query={"area": "@grid"})),
    **_api("GET", f"{FW}/meetings", Entry(api_list(READERS), query={"area": "@grid"}, lists=True)),
    **_api("POST", f"{FW}/meetings", _json(grid_write(PATROLLERS), body=_meeting)),
    **_api("GET", f"{FW}/meetings/{{meeting_id}}", Entry(api_object(READERS), {"meeting_id": "meeting"})),
    **_api(
        "POST",
        f"{FW}/meetings/{{meeting_id}}/decisions",
        _json(acting(PATROLLERS, ok=201), {"meeting_id": "meeting"}, body=lambda c: {"text": "清理楼道"}),
    ),
    **_api("GET", f"{FW}/tasks", Entry(api_list(READERS), query={"area": "@grid"}, lists=False)),
    **_api("POST", f"{FW}/tasks/{{task_id}}/done", _json(acting(PATROLLERS), {"task_id": "task"})),
    **_api("GET", f"{FW}/problems", Entry(api_list(READERS), query={"area": "@grid"}, lists=True)),
    **_api("POST", f"{FW}/problems", _json(grid_write(PATROLLERS), body=_problem)),
    **_api(
        "POST",
        f"{FW}/problems/{{problem_id}}/answer",
        _json(acting(REVIEWERS), {"problem_id": "problem"}, body=lambda c: {"answer": "已安排"}),
    ),
    **_api(
        "POST",
        f"{FW}/problems/{{problem_id}}/close",
        _json(acting(PATROLLERS), {"problem_id": "problem_answered"}),
    ),
}

ENTRIES: dict[str, Entry] = {**PAGES, **API}

"""Each role's home page shows its morning's work, only within its scope, in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gridwork.accounts import services as accounts
from gridwork.accounts.models import Role
from gridwork.cases.models import Case
from gridwork.cases.tests.conftest import MUNICIPAL, URBAN
from gridwork.cases.tests.helpers import do, report
from gridwork.conftest import GRID_A1, GRID_A2, GRID_B1, PASSWORD, STREET_A, STREET_B, District
from gridwork.core.system import SYSTEM
from gridwork.registry.services import reveal_person
from gridwork.transfer.exports import start_export
from gridwork.web.tests.helpers import html


def _late(case: Case) -> None:
    """Past its step deadline, as the overdue check would find it before its next run."""
    Case.objects.filter(pk=case.pk).update(step_deadline=timezone.now() - dt.timedelta(hours=2))


@pytest.fixture
def work(cd: District) -> dict[str, Case]:
    cases = {
        "a1_mine": report(cd, "worker_a1", "E0101", GRID_A1, title="甲一 楼下暴露垃圾"),
        "a1_late": report(cd, "worker_a1", "E0101", GRID_A1, title="甲一 超期的垃圾"),
        "a2": report(cd, "worker_a2", "E0101", GRID_A2, title="甲二 别人网格的垃圾"),
        "b1": report(cd, "worker_b1", "E0101", GRID_B1, title="乙一 另一个社区的垃圾"),
        "urban": report(cd, "worker_a1", "E0104", GRID_A1, title="甲一 派给执法队"),
        "municipal": report(cd, "worker_a2", "E0104", GRID_A2, title="甲二 派给市政所"),
        "waiting": report(cd, "worker_a2", "E0104", GRID_A2, title="甲二 待受理"),
    }
    _late(cases["a1_late"])
    for key, department in (("urban", URBAN), ("municipal", MUNICIPAL)):
        do(cd, "centre_a", do(cd, "centre_a", cases[key], "accept"), "dispatch", department=department)
    return cases


def test_grid_worker_sees_todays_work_and_nothing_of_another_grid(cd: District, work: dict) -> None:
    response = cd.client("worker_a1").get("/")
    panel = response.context["work"]
    titles = [line["title"] for line in panel["lines"]]
    assert set(titles) == {"甲一 楼下暴露垃圾", "甲一 超期的垃圾"}
    assert titles[0] == "甲一 超期的垃圾"  # most urgent first
    assert (panel["waiting"], panel["late"]) == (2, 1)
    assert panel["lines"][0]["colour"] == "red"
    body = html(response)
    assert f'href="/cases/{work["a1_mine"].pk}/"' in body
    for other in ("a2", "b1", "municipal", "waiting"):
        assert work[other].title not in body
        assert f'href="/cases/{work[other].pk}/"' not in body
    [card] = response.context["cards"]
    glance = card["glance"]
    assert (glance["open"], glance["late"]) == (3, 1)  # the grid's open cases, the dispatched one too
    assert [line["title"] for line in glance["late_lines"]] == ["甲一 超期的垃圾"]


def test_community_sees_its_area_at_a_glance(cd: District, work: dict) -> None:
    response = cd.client("centre_a").get("/")
    [card] = response.context["cards"]
    glance = card["glance"]
    assert card["counts"]["people"] == 2  # one registered in each of its grids
    assert glance["open"] == 6 and glance["late"] == 1
    assert glance["lights"]["red"] == 1 and sum(glance["lights"].values()) == 6
    children = {c["code"]: (c["open"], c["late"]) for c in glance["children"]}
    assert children == {GRID_A1: (3, 1), GRID_A2: (3, 0)}
    # What waits on the centre: the case submitted to it, not those at the grids or departments.
    assert [line["title"] for line in response.context["work"]["lines"]] == ["甲二 待受理"]
    body = html(response)
    assert work["b1"].title not in body
    assert f'href="/areas/{GRID_A2}/"' in body


def test_street_sees_its_communities(cd: District, work: dict) -> None:
    [card] = cd.client("street_a").get("/").context["cards"]
    assert card["area"].code == STREET_A
    assert [(c["code"], c["open"], c["late"]) for c in card["glance"]["children"]] == [("110112001001", 6, 1)]
    [card_b] = cd.client("street_b").get("/").context["cards"]
    assert card_b["glance"]["open"] == 1 and card_b["glance"]["children"][0]["open"] == 1


def test_department_sees_what_waits_on_the_department(cd: District, work: dict) -> None:
    response = cd.client("department").get("/")
    assert response.context["work_kind"] == "department"
    assert [line["title"] for line in response.context["work"]["lines"]] == ["甲一 派给执法队"]
    body = html(response)
    assert work["municipal"].title not in body and work["a1_mine"].title not in body
    other = cd.client("dept_other").get("/").context["work"]
    assert [line["title"] for line in other["lines"]] == ["甲二 派给市政所"]


def test_auditor_sees_the_latest_reveals_and_exports_in_what_they_audit(cd: District) -> None:
    reveal_person(cd.users["worker_a1"], cd.people[GRID_A1].pk, "核实低保申请人身份")
    start_export(cd.users["centre_a"], "persons", "110112001001", "csv")
    reveal_person(cd.users["worker_b1"], cd.people[GRID_B1].pk, "独居老人紧急联系家属")
    street_auditor = accounts.create_user(
        SYSTEM, "auditor_b", PASSWORD, display_name="乙审计", check_password=False
    )
    accounts.grant_role(SYSTEM, street_auditor, Role.AUDITOR, STREET_B)
    cd.users["auditor_b"] = street_auditor

    latest = cd.client("auditor").get("/").context["audit_latest"]
    assert [(e["action"], e["who"]) for e in latest] == [
        ("reveal", "worker_b1"),
        ("export", "centre_a"),
        ("reveal", "worker_a1"),
    ]
    assert latest[2]["reason"] == "核实低保申请人身份" and latest[1]["rows"] == 2
    response = cd.client("auditor_b").get("/")
    assert [e["who"] for e in response.context["audit_latest"]] == ["worker_b1"]
    body = html(response)
    assert "核实低保申请人身份" not in body and "独居老人紧急联系家属" in body
    # Reveals show who and why, never the revealed values.
    assert cd.people[GRID_B1].id_number not in body


def test_home_pages_in_english_and_chinese(cd: District, work: dict) -> None:
    client = cd.client("worker_a1")
    body = html(client.get("/"))
    assert "今日工作" in body and "事件概况" in body and "Today's work" not in body
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    body = html(client.get("/"))
    assert (
        re.search(r"Today(&#x27;|')s work", body) and "Cases at a glance" in body and "今日工作" not in body
    )


def _queries(client, path: str = "/") -> int:  # noqa: ANN001
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured.captured_queries)


# session, user, roles, inbox badge; areas, counts, ending tags, key groups; the calendar; own work
# (lines, counts); an area's glance (late lines, open by grid, areas below, lights); a community's
# queues name its grids (once per paged queue, gridwork.cases.queues); the auditor's latest entries.
# Field work adds: the patrol panel 1 (the user's own patrols, or their grids' coverage today);
# the visits panel 2 (the due list); the reports panel at most 4 (parts forwarded to the user, last
# week's reports, today's log lines and open tasks, or reports to review and not in).
MAX_HOME_QUERIES = 19 + 1 + 2 + 4  # 19: +1 since the second factor (the session's verified device)


@pytest.mark.parametrize("who", ["worker_a1", "centre_a", "street_a", "department", "auditor"])
def test_home_queries_do_not_grow_with_the_cases(cd: District, work: dict, who: str) -> None:
    client = cd.client(who)
    client.get("/")  # the first view reads what a process keeps (categories, calendar)
    before = _queries(client)
    assert before <= MAX_HOME_QUERIES
    for n in range(6):
        case = report(cd, "worker_a1", "E0104", GRID_A1, title=f"又一件 {n}")
        if n % 2:
            _late(case)
        do(cd, "centre_a", do(cd, "centre_a", case, "accept"), "dispatch", department=URBAN)
    assert _queries(client) == before

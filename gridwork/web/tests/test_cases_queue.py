"""Case queues: the access ladder, the tabs, the filters, bounded queries."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gridwork.cases import services
from gridwork.cases.models import Case
from gridwork.cases.tests.conftest import URBAN
from gridwork.cases.tests.helpers import do, report
from gridwork.conftest import GRID_A2, GRID_B1, District
from gridwork.web.tests.helpers import assert_login_redirect, html

# Session, user, roles, the total, the page's keys, its rows, the work calendar (the deadline
# colours), the category tree (the filter), a branch's leaves (when filtered), the inbox badge.
MAX_QUERIES = 11  # 10, and the verified session's second-factor device (django-otp)
ROW = re.compile(r'<li class="row-(\w+)">\s*<a href="/cases/\d+/"[^>]*><strong>([^<]*)</strong>')


def rows(response) -> list[tuple[str, str]]:  # noqa: ANN001
    """(title, deadline colour) of each case listed, read from the page as a user sees it."""
    return [(unescape(title), colour) for colour, title in ROW.findall(html(response))]


def titles(response) -> set[str]:  # noqa: ANN001
    return {title for title, _colour in rows(response)}


def test_queue_ladder(cd: District) -> None:
    case = report(cd, "worker_a1", title="东门乱堆物料")
    assert_login_redirect(cd.client(None).get("/cases/"))
    assert cd.client("nobody").get("/cases/").status_code == 403
    other = cd.client("worker_b1").get("/cases/?tab=area")
    assert other.status_code == 200 and case.title not in html(other)
    for who in ("worker_a1", "centre_a", "street_a", "district"):
        response = cd.client(who).get("/cases/?tab=area")
        assert response.status_code == 200, who
        assert case.title in html(response), who
    # The department sees nothing until the case is dispatched to it.
    assert case.title not in html(cd.client("department").get("/cases/?tab=area"))
    do(cd, "centre_a", case, "accept")
    do(cd, "centre_a", case, "dispatch", department=URBAN)
    for tab in ("mine", "area"):
        assert case.title in html(cd.client("department").get(f"/cases/?tab={tab}")), tab
    assert case.title not in html(cd.client("dept_other").get("/cases/?tab=area"))


def test_tabs_show_the_right_cases(cd: District) -> None:
    routine = report(cd, "worker_a1", category="E0101", title="路边垃圾")  # on_site, held by worker_a1
    coordination = report(cd, "worker_a1", title="楼道堆物")  # submitted, at the acceptance centre
    elsewhere = report(cd, "worker_a2", category="E0101", grid=GRID_A2, title="二网格垃圾")
    worker = cd.client("worker_a1")
    assert titles(worker.get("/cases/")) == {routine.title}  # "mine" is the default tab
    assert titles(worker.get("/cases/?tab=area")) == {routine.title, coordination.title}
    assert titles(cd.client("centre_a").get("/cases/?tab=mine")) == {coordination.title}
    assert titles(cd.client("street_a").get("/cases/?tab=mine")) == set()
    assert titles(cd.client("street_a").get("/cases/?tab=area")) == {
        routine.title,
        coordination.title,
        elsewhere.title,
    }
    assert titles(cd.client("street_a").get("/cases/?tab=overdue")) == set()
    # A month later every step is late: flagged and escalated one level up.
    services.flag_overdue(now=timezone.now() + dt.timedelta(days=40))
    assert titles(cd.client("street_a").get("/cases/?tab=overdue")) == {
        routine.title,
        coordination.title,
        elsewhere.title,
    }
    assert titles(cd.client("worker_a1").get("/cases/?tab=overdue")) == {routine.title, coordination.title}
    # Escalated from the centre to the street: now the street's.
    assert coordination.title in titles(cd.client("street_a").get("/cases/?tab=mine"))
    response = cd.client("street_a").get("/cases/?tab=overdue")
    assert {colour for _title, colour in rows(response)} == {"red"}
    assert 'class="row-red"' in html(response)


def test_filters_by_status_and_category(cd: District) -> None:
    routine = report(cd, "worker_a1", category="E0101", title="路边垃圾")
    coordination = report(cd, "worker_a1", title="楼道堆物")
    client = cd.client("centre_a")
    assert titles(client.get("/cases/?tab=area&status=submitted")) == {coordination.title}
    assert titles(client.get("/cases/?tab=area&status=on_site")) == {routine.title}
    assert titles(client.get("/cases/?tab=area&category=E0101")) == {routine.title}
    # A branch of the tree selects its leaves.
    assert titles(client.get("/cases/?tab=area&category=E01")) == {routine.title, coordination.title}
    assert titles(client.get("/cases/?tab=area&category=S")) == set()
    # Garbage filters are ignored, not errors.
    assert client.get("/cases/?tab=nonsense&status=nonsense&page=x").status_code == 200


def test_colours_in_time(cd: District) -> None:
    report(cd, "worker_a1", title="楼道堆物")
    response = cd.client("centre_a").get("/cases/?tab=area")
    [(_title, colour)] = rows(response)
    assert colour in ("green", "yellow")  # just reported: the step's clock runs, not yet late


def _queries(client, url: str) -> int:  # noqa: ANN001
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context)


def test_queue_queries_are_bounded(cd: District, django_assert_max_num_queries) -> None:  # noqa: ANN001
    client = cd.client("district")
    report(cd, "district", title="事件")
    client.get("/cases/?tab=area")  # warm the session
    one_case = _queries(client, "/cases/?tab=area")
    for n in range(12):
        grid = (GRID_A2, GRID_B1)[n % 2] if n % 3 else None
        report(cd, "district", title=f"事件{n}", **({"grid": grid} if grid else {}))
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get("/cases/?tab=area")
    assert len(rows(response)) == 13 == Case.objects.count()
    assert _queries(client, "/cases/?tab=area") == one_case  # not one more per row
    with django_assert_max_num_queries(MAX_QUERIES):
        client.get("/cases/?tab=overdue&status=submitted&category=E01")


@pytest.mark.parametrize("tab", ["mine", "area", "overdue"])
def test_department_queue_is_bounded_too(cd: District, tab: str, django_assert_max_num_queries) -> None:  # noqa: ANN001
    client = cd.client("department")
    client.get("/cases/")  # the first request after sign-in keeps the roles in the session
    with django_assert_max_num_queries(MAX_QUERIES):
        assert client.get(f"/cases/?tab={tab}").status_code == 200


@pytest.mark.parametrize(("who", "tab"), [("worker_a1", "mine"), ("centre_a", "area")])
def test_worker_and_community_queues_are_bounded(
    cd: District, who: str, tab: str, django_assert_max_num_queries
) -> None:  # noqa: ANN001, E501
    for n in range(4):
        report(cd, "worker_a1", category="E0101", title=f"路边垃圾{n}")
        report(cd, "worker_a1", title=f"楼道堆物{n}")
    client = cd.client(who)
    client.get(f"/cases/?tab={tab}")  # the first request after sign-in keeps the roles in the session
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(f"/cases/?tab={tab}")
    assert response.status_code == 200 and rows(response)

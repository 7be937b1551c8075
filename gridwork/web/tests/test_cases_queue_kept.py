"""Case lists kept under the tokens of their grids (cases migration 0005, core/prepared.py).

Every way of writing a case (the services, a queryset update, raw SQL as another process would,
a write rolled back) must show on the very next view of a list; writes elsewhere must not make
the list be read again.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from gridwork.areas.models import Area
from gridwork.cases.models import Case, Category, GridVersion, ReferenceVersion
from gridwork.cases.tests.conftest import URBAN
from gridwork.cases.tests.helpers import do, report
from gridwork.conftest import GRID_A1, GRID_A2, GRID_B1, District
from gridwork.core import prepared
from gridwork.web.tests.helpers import html
from gridwork.web.tests.test_cases_queue import MAX_QUERIES, titles

pytestmark = pytest.mark.django_db


def _token(grid: str) -> str | None:
    return GridVersion.objects.filter(grid_code=grid).values_list("token", flat=True).first()


def _case_reads(captured: list[dict[str, Any]]) -> int:
    return sum('FROM "cases_case"' in q["sql"] for q in captured)


def _view(client: Client, tab: str = "area", max_queries: int | None = None) -> tuple[Any, int]:
    with CaptureQueriesContext(connection) as seen:
        response = client.get(f"/cases/?tab={tab}")
    assert response.status_code == 200
    if max_queries is not None:
        assert len(seen.captured_queries) <= max_queries, [q["sql"] for q in seen.captured_queries]
    return response, _case_reads(seen.captured_queries)


def test_every_kind_of_write_replaces_the_token_of_its_grid_only(cd: District) -> None:
    case = report(cd, "worker_a1", title="东门乱堆物料")
    first, other = _token(GRID_A1), _token(GRID_B1)
    assert first
    Case.objects.filter(pk=case.pk).update(title="改过")  # no signal: only the trigger can tell
    second = _token(GRID_A1)
    assert second not in (None, first)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE cases_case SET grid_code = %s WHERE id = %s", [GRID_A2, case.pk])
    assert _token(GRID_A1) not in (None, second)  # the grid it left
    moved_to = _token(GRID_A2)
    assert moved_to
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM cases_caseevent WHERE case_id = %s", [case.pk])
        cursor.execute("DELETE FROM cases_case WHERE id = %s", [case.pk])
    assert _token(GRID_A2) not in (None, moved_to)
    assert _token(GRID_B1) == other
    # A write that ignores conflicts (its clause would override an INSERT OR REPLACE in a trigger).
    before = _token(GRID_A1)
    fields = {f.attname: getattr(case, f.attname) for f in Case._meta.concrete_fields if not f.primary_key}
    Case.objects.bulk_create(
        [Case(**{**fields, "grid_id": GRID_A1, "tracking_code": "IGN0001"})], ignore_conflicts=True
    )
    assert _token(GRID_A1) not in (None, before)
    category = ReferenceVersion.objects.get(name="category").token
    Category.objects.bulk_create(
        [Category(code="E0199", name_zh="新类", name_en="new")], ignore_conflicts=True
    )
    assert ReferenceVersion.objects.get(name="category").token != category
    area = ReferenceVersion.objects.get(name="area").token
    Area.objects.filter(code=GRID_A1).update(name="改名网格")
    assert ReferenceVersion.objects.get(name="area").token != area


def test_a_kept_list_is_read_again_only_when_a_case_in_scope_changes(cd: District) -> None:
    case = report(cd, "worker_a1", title="东门乱堆物料")
    centre = cd.client("centre_a")
    first, reads = _view(centre)
    assert reads == 1 and case.title in html(first)
    hits = prepared.stats["kept_hits"]
    again, reads = _view(centre, max_queries=MAX_QUERIES - 1)
    assert reads == 0 and prepared.stats["kept_hits"] == hits + 1
    assert html(again).count("东门乱堆物料") == html(first).count("东门乱堆物料")
    # A case in another community: this list stays kept.
    report(cd, "worker_b1", grid=GRID_B1, title="别处的事")
    assert _view(centre)[1] == 0
    # Changed behind the process, in this community: shown at once.
    Case.objects.filter(pk=case.pk).update(title="西门乱堆物料")
    # The list is read again within the page's bound: the grids' tokens come with the others.
    changed, reads = _view(centre, max_queries=MAX_QUERIES)
    assert reads == 1 and titles(changed) == {"西门乱堆物料"}
    # A new case in the scope, by the services.
    report(cd, "worker_a2", grid=GRID_A2, category="E0101", title="二网格垃圾")
    assert titles(_view(centre)[0]) == {"西门乱堆物料", "二网格垃圾"}


def test_a_renamed_grid_and_a_renamed_category_show_at_once(cd: District) -> None:
    report(cd, "worker_a1", title="东门乱堆物料")
    centre = cd.client("centre_a")
    assert "改名网格" not in html(_view(centre)[0])
    Area.objects.filter(code=GRID_A1).update(name="改名网格")
    assert "改名网格" in html(_view(centre)[0])
    with connection.cursor() as cursor:
        cursor.execute("UPDATE cases_category SET name_zh = %s WHERE code = %s", ["新的类别名", "E0104"])
    assert "新的类别名" in html(_view(centre)[0])


def test_rows_read_in_a_rolled_back_transaction_are_never_shown(cd: District) -> None:
    case = report(cd, "worker_a1", title="东门乱堆物料")
    centre = cd.client("centre_a")
    _view(centre)
    with pytest.raises(RuntimeError), transaction.atomic():
        Case.objects.filter(pk=case.pk).update(title="未提交的标题")
        assert titles(_view(centre)[0]) == {"未提交的标题"}  # kept under an uncommitted token
        raise RuntimeError("roll back")
    assert titles(_view(centre)[0]) == {"东门乱堆物料"}


def test_a_department_list_is_read_every_time(cd: District) -> None:
    case = report(cd, "worker_a1", title="东门乱堆物料")
    do(cd, "centre_a", case, "accept")
    do(cd, "centre_a", case, "dispatch", department=URBAN)
    department = cd.client("department")
    for _ in range(2):
        response, reads = _view(department)
        assert reads == 1 and case.title in html(response)


def test_without_grid_tokens_nothing_is_kept(cd: District) -> None:
    report(cd, "worker_a1", title="东门乱堆物料")
    ReferenceVersion.objects.filter(name="area").delete()
    centre = cd.client("centre_a")
    for _ in range(2):
        assert _view(centre)[1] == 1

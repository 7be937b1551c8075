"""A case queue shows what is in the database at the moment it is read: every way of writing a
case, or a row the queue joins (the grid's and the category's names), shows at the next view."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection, transaction

from gridwork.areas.models import Area
from gridwork.cases.models import Case
from gridwork.cases.tests.helpers import report
from gridwork.conftest import GRID_A1, GRID_A2, District
from gridwork.web.tests.helpers import html
from gridwork.web.tests.test_cases_queue import titles

pytestmark = pytest.mark.django_db


def _queue(cd: District, who: str = "centre_a") -> Any:
    response = cd.client(who).get("/cases/?tab=area")
    assert response.status_code == 200
    return response


def test_every_kind_of_write_to_a_case_shows_at_the_next_view(cd: District) -> None:
    case = report(cd, "worker_a1", title="东门乱堆物料")
    assert titles(_queue(cd)) == {"东门乱堆物料"}
    Case.objects.filter(pk=case.pk).update(title="西门乱堆物料")  # no signal, no service
    assert titles(_queue(cd)) == {"西门乱堆物料"}
    with connection.cursor() as cursor:  # as another process or a tool would write
        cursor.execute("UPDATE cases_case SET title = %s WHERE id = %s", ["南门乱堆物料", case.pk])
    assert titles(_queue(cd)) == {"南门乱堆物料"}
    report(cd, "worker_a2", grid=GRID_A2, category="E0101", title="二网格垃圾")
    assert titles(_queue(cd)) == {"南门乱堆物料", "二网格垃圾"}


def test_a_joined_row_changed_by_update_shows_at_the_next_view(cd: District) -> None:
    report(cd, "worker_a1", title="东门乱堆物料")
    assert "改名网格" not in html(_queue(cd))
    Area.objects.filter(code=GRID_A1).update(name="改名网格")
    assert "改名网格" in html(_queue(cd))
    with connection.cursor() as cursor:
        cursor.execute("UPDATE cases_category SET name_zh = %s WHERE code = %s", ["新的类别名", "E0104"])
    assert "新的类别名" in html(_queue(cd))


def test_a_write_rolled_back_is_never_shown(cd: District) -> None:
    case = report(cd, "worker_a1", title="东门乱堆物料")
    with pytest.raises(RuntimeError), transaction.atomic():
        Case.objects.filter(pk=case.pk).update(title="未提交的标题")
        assert titles(_queue(cd)) == {"未提交的标题"}
        raise RuntimeError("roll back")
    assert titles(_queue(cd)) == {"东门乱堆物料"}

"""`paginate` gives the same pages and total as slicing the queryset: a count and the page's rows,
or the rows alone when the total is known; past the end the last page, garbage the first."""

from __future__ import annotations

import pytest
from django.db.models import Count
from django.test import RequestFactory

from gridwork.areas.models import Area
from gridwork.conftest import District
from gridwork.registry.models import Person
from gridwork.web.pagination import paginate


def _page(queryset, number: object, size: int, total: int | None = None):  # type: ignore[no-untyped-def]
    return paginate(RequestFactory().get("/", {"page": number}), queryset, per_page=size, total=total)


@pytest.mark.parametrize("size", [1, 2, 3])
def test_every_page_equals_the_slice(
    district: District,
    size: int,
    django_assert_num_queries,  # noqa: ANN001
) -> None:
    people = Person.objects.order_by("name", "-id")
    expected = list(people.values_list("pk", flat=True))
    assert len(expected) > size
    seen = []
    for number in range(1, -(-len(expected) // size) + 1):
        with django_assert_num_queries(2):
            page = _page(people.select_related("household"), number, size)
        assert page.paginator.count == len(expected)
        assert page.number == number
        seen.extend(p.pk for p in page.object_list)
    assert seen == expected
    with django_assert_num_queries(1):
        known = _page(people, 1, size, total=len(expected))
    assert [p.pk for p in known.object_list] == expected[:size]


@pytest.mark.parametrize("number", [999, "x", -3])
def test_past_the_end_and_garbage(district: District, number: object) -> None:
    people = Person.objects.order_by("id")
    total = people.count()
    page = _page(people, number, 2)
    expected = -(-total // 2) if number == 999 else 1
    assert page.number == expected
    ids = list(people.values_list("pk", flat=True))
    assert [p.pk for p in page.object_list] == ids[(expected - 1) * 2 : expected * 2]


def test_grouped_and_distinct_querysets_count_right(district: District) -> None:
    grouped = Area.objects.annotate(n=Count("children")).order_by("-n", "code")
    page = _page(grouped, 1, 2)
    assert page.paginator.count == Area.objects.count()
    assert [a.code for a in page.object_list] == list(grouped.values_list("code", flat=True)[:2])
    distinct = Person.objects.filter(tags__isnull=False).distinct().order_by("id")
    assert _page(distinct, 1, 50).paginator.count == distinct.count() >= 1

"""`paginate` gives the same pages and total as slicing the queryset, in one query, also for a
queryset it cannot pick by key (grouped, DISTINCT)."""

from __future__ import annotations

import pytest
from django.db.models import Count
from django.test import RequestFactory

from gridwork.areas.models import Area
from gridwork.conftest import District
from gridwork.registry.models import Person
from gridwork.web.pagination import paginate


def _page(queryset, number: int, size: int, by_key: bool = True):  # type: ignore[no-untyped-def]
    return paginate(RequestFactory().get("/", {"page": number}), queryset, per_page=size, by_key=by_key)


@pytest.mark.parametrize("by_key", [True, False])
@pytest.mark.parametrize("size", [1, 2, 3])
def test_every_page_equals_the_slice(
    district: District,
    size: int,
    by_key: bool,
    django_assert_num_queries,  # noqa: ANN001
) -> None:
    people = Person.objects.order_by("name", "-id")
    expected = list(people.values_list("pk", flat=True))
    assert len(expected) > size
    seen = []
    for number in range(1, -(-len(expected) // size) + 1):
        with django_assert_num_queries(1):
            page = _page(people.select_related("household"), number, size, by_key)
        assert page.paginator.count == len(expected)
        assert page.number == number
        seen.extend(p.pk for p in page.object_list)
    assert seen == expected


@pytest.mark.parametrize("by_key", [True, False])
def test_past_the_end_gives_the_last_page(district: District, by_key: bool) -> None:
    people = Person.objects.order_by("id")
    total = people.count()
    page = _page(people, 999, 2, by_key)
    assert page.number == -(-total // 2)
    assert [p.pk for p in page.object_list] == list(people.values_list("pk", flat=True))[
        (page.number - 1) * 2 :
    ]


def test_grouped_and_distinct_querysets_still_count_right(district: District) -> None:
    grouped = Area.objects.annotate(n=Count("children")).order_by("-n", "code")
    page = _page(grouped, 1, 2)
    assert page.paginator.count == Area.objects.count()
    assert [a.code for a in page.object_list] == list(grouped.values_list("code", flat=True)[:2])
    distinct = Person.objects.filter(tags__isnull=False).distinct().order_by("id")
    assert _page(distinct, 1, 50).paginator.count == distinct.count() >= 1

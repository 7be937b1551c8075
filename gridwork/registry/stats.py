"""Counts of the register per area: households, people, party members and each key group.

Counts come from the summary kept exact by `registry.counts` (one row per area and metric), so
a district's home page reads a few rows instead of scanning a million people. Tags ending in the
future still count until their end date, so they are added from the register at read time (an
index on the end date keeps this to the few tags that have one). Callers pass an area the user
may see; the counts are aggregates and show no one's data.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.utils import timezone

from gridwork.core.scoping import code_range_q
from gridwork.registry import choices as c
from gridwork.registry.counts import BASE_METRICS, HOUSEHOLDS, PARTY_MEMBERS, PEOPLE, group_metric
from gridwork.registry.models import AreaCount, KeyGroup, Person, PersonTag


def _ending_tags(code: str) -> dict[int, int]:
    """Tags of living people in the area that end today or later, per group.

    Read through the index on the end date (few tags have one), then the people's status by key:
    a join lets the planner scan every tag instead.
    """
    tags = [
        (group, person)
        for grid, group, person in PersonTag.objects.filter(until__gte=timezone.localdate())
        .order_by()
        .values_list("grid_id", "group_id", "person_id")
        if grid.startswith(code)
    ]
    if not tags:
        return {}
    living = set(
        Person.objects.filter(pk__in={p for _, p in tags}, status=c.PersonStatus.LIVING).values_list(
            "pk", flat=True
        )
    )
    return dict(Counter(group for group, person in tags if person in living))


def area_counts(code: str) -> dict[str, Any]:
    stored = dict(AreaCount.objects.filter(area_code=code).values_list("metric", "value"))
    ending = _ending_tags(code)
    groups = [
        {"group": g, "count": stored.get(group_metric(g.pk), 0) + ending.get(g.pk, 0)}
        for g in KeyGroup.objects.all()
    ]
    return {
        "households": stored.get(HOUSEHOLDS, 0),
        "people": stored.get(PEOPLE, 0),
        "party_members": stored.get(PARTY_MEMBERS, 0),
        "groups": groups,
    }


def child_counts(code: str, child_length: int) -> dict[str, dict[str, int]]:
    """People, party members and households for each child area of `code` (by code prefix)."""
    rows = AreaCount.objects.filter(metric__in=BASE_METRICS)
    if child_length == len(code) + 3:
        rows = rows.filter(parent_code=code)
    else:
        rows = rows.filter(code_range_q("area_code", code))
    result: dict[str, dict[str, int]] = {}
    for area_code, metric, value in rows.values_list("area_code", "metric", "value"):
        if len(area_code) == child_length and value:
            result.setdefault(area_code, {})[metric] = value
    return result

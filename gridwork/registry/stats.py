"""Counts of the register per area: households, people, party members and each key group.

Counts come from the summary kept exact by `registry.counts` (one row per area and metric), so
a district's home page reads a few rows instead of scanning a million people. Tags ending in the
future still count until their end date, so they are added from the register at read time (an
index on the end date keeps this to the few tags that have one). Callers pass an area the user
may see; the counts are aggregates and show no one's data.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from django.db.models import Q
from django.utils import timezone

from gridwork.registry import choices as c
from gridwork.registry.counts import BASE_METRICS, HOUSEHOLDS, PARTY_MEMBERS, PEOPLE, REGISTERED, group_metric
from gridwork.registry.models import AreaCount, KeyGroup, Person, PersonTag


def _ending_tags(codes: list[str]) -> dict[str, Counter]:
    """Tags of living people in each area that end today or later, per group.

    Read through the index on the end date (few tags have one), then the people's status by key:
    joined, the planner may scan every tag instead (so no ordering either: the tags' default order
    joins their group)."""
    ending = PersonTag.objects.filter(until__gte=timezone.localdate()).order_by()
    tags = list(ending.values_list("grid_id", "group_id", "person_id"))
    if not tags:
        return {}
    people = {person for _, _, person in tags}
    living = set(
        Person.objects.filter(pk__in=people, status=c.PersonStatus.LIVING).values_list("pk", flat=True)
    )
    counted: dict[str, Counter] = defaultdict(Counter)
    for grid, group, person in tags:
        if person not in living:
            continue
        for code in codes:
            if grid.startswith(code):
                counted[code][group] += 1
    return counted


def area_counts_many(codes: list[str]) -> dict[str, dict[str, Any]]:
    """The counts of each area in `codes` (see area_counts): three small reads for any number of areas."""
    if not codes:
        return {}
    rows = AreaCount.objects.filter(area_code__in=codes).values_list("area_code", "metric", "value")
    return _assemble(codes, list(rows))


def _assemble(codes: list[str], rows: list[tuple]) -> dict[str, dict[str, Any]]:
    stored: dict[str, dict[str, int]] = defaultdict(dict)
    for code, metric, value in rows:
        stored[code][metric] = value
    ending = _ending_tags(codes)
    groups = list(KeyGroup.objects.all())
    result = {}
    for code in codes:
        have, late = stored.get(code, {}), ending.get(code, Counter())
        result[code] = {
            "households": have.get(HOUSEHOLDS, 0),
            "people": have.get(PEOPLE, 0),
            "party_members": have.get(PARTY_MEMBERS, 0),
            "groups": [{"group": g, "count": have.get(group_metric(g.pk), 0) + late[g.pk]} for g in groups],
        }
    return result


def area_counts(code: str) -> dict[str, Any]:
    return area_counts_many([code])[code]


def shown(counts: dict[str, Any] | None) -> dict[str, Any] | None:
    """The counts as a page shows them: plain values, each group by its label in the active language."""
    if counts is None:
        return None
    groups = [
        {"code": row["group"].code, "label": row["group"].label, "count": row["count"]}
        for row in counts["groups"]
    ]
    return {**counts, "groups": groups}


def area_and_child_counts(code: str) -> tuple[dict[str, Any], dict[str, dict[str, int]]]:
    """An area's counts (as area_counts) and the people, party members and households of each of
    its child areas, read together."""
    rows = AreaCount.objects.filter(
        Q(area_code=code) | Q(parent_code=code, metric__in=BASE_METRICS)
    ).values_list("area_code", "metric", "value")
    children: dict[str, dict[str, int]] = {}
    for area_code, metric, value in rows:
        if area_code != code and value:
            children.setdefault(area_code, {})[metric] = value
    return _assemble([code], [row for row in rows if row[0] == code])[code], children


def registered_total(code: str) -> int | None:
    """Everyone on the register in an area, whatever their status (a list's total), or None when
    the area has no summary row (a register loaded past the counts: count the rows instead)."""
    row = AreaCount.objects.filter(area_code=code, metric=REGISTERED).values_list("value", flat=True)
    return row.first()

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

from django.db import connection
from django.db.models import Subquery
from django.utils import timezone

from gridwork.core import rawsql
from gridwork.registry import choices as c
from gridwork.registry.counts import BASE_METRICS, HOUSEHOLDS, PARTY_MEMBERS, PEOPLE, REGISTERED, group_metric
from gridwork.registry.kept_key_groups import key_groups
from gridwork.registry.models import AreaCount

# The reads below run on every home and area page, so they are fixed SQL (see core/rawsql.py);
# only the number of placeholders in an IN list varies.
_STORED_SQL = "SELECT area_code, metric, value FROM registry_areacount WHERE area_code IN ({codes})"
# An area's own counts and its children's base counts in one read (the area page).
_WITH_CHILDREN_SQL = (
    "SELECT area_code, metric, value FROM registry_areacount"
    " WHERE area_code = %s OR (parent_code = %s AND metric IN ({metrics}))"
)
_ENDING_SQL = "SELECT grid_code, group_id, person_id FROM registry_persontag WHERE until >= %s"
_LIVING_SQL = "SELECT id FROM registry_person WHERE id IN ({ids}) AND status = %s"


def _ending_tags(codes: list[str]) -> dict[str, Counter]:
    """Tags of living people in each area that end today or later, per group.

    Read through the index on the end date (few tags have one), then the people's status by key:
    a join lets the planner scan every tag instead.
    """
    today = connection.ops.adapt_datefield_value(timezone.localdate())
    tags = [row for row in rawsql.fetch(_ENDING_SQL, [today]) if row[0].startswith(tuple(codes))]
    if not tags:
        return {}
    people = sorted({person for _, _, person in tags})
    sql = _LIVING_SQL.format(ids=rawsql.placeholders(people))
    living = {row[0] for row in rawsql.fetch(sql, [*people, c.PersonStatus.LIVING])}
    ending: dict[str, Counter] = defaultdict(Counter)
    for grid, group, person in tags:
        if person in living:
            for code in codes:
                if grid.startswith(code):
                    ending[code][group] += 1
    return ending


def area_counts_many(codes: list[str]) -> dict[str, dict[str, Any]]:
    """The counts of each area in `codes` (see area_counts): three small reads for any number of areas."""
    if not codes:
        return {}
    sql = _STORED_SQL.format(codes=rawsql.placeholders(codes))
    return _assemble(codes, rawsql.fetch(sql, codes))


def _assemble(codes: list[str], rows: list[tuple]) -> dict[str, dict[str, Any]]:
    stored: dict[str, dict[str, int]] = defaultdict(dict)
    for code, metric, value in rows:
        stored[code][metric] = value
    ending = _ending_tags(codes)
    groups = key_groups()
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
    sql = _WITH_CHILDREN_SQL.format(metrics=rawsql.placeholders(BASE_METRICS))
    rows = rawsql.fetch(sql, [code, code, *BASE_METRICS])
    children: dict[str, dict[str, int]] = {}
    for area_code, metric, value in rows:
        if area_code != code and value:
            children.setdefault(area_code, {})[metric] = value
    return _assemble([code], [row for row in rows if row[0] == code])[code], children


def registered_total(code: str) -> Subquery:
    """Everyone on the register in an area, whatever their status, as a subquery (for a list's total)."""
    return Subquery(AreaCount.objects.filter(area_code=code, metric=REGISTERED).values("value")[:1])

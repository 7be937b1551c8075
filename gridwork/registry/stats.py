"""Counts of the register per area: households, people, party members and each key group.

Counts are prefix filters on the grid code. Callers pass an area the user may see; the counts
are aggregates and show no one's data.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.db.models.functions import Substr
from django.utils import timezone

from gridwork.registry import choices as c
from gridwork.registry.models import Household, KeyGroup, Person, PersonTag

PARTY = [c.PoliticalStatus.PARTY_MEMBER, c.PoliticalStatus.PROBATIONARY]


def _current_tags() -> Any:
    today = timezone.localdate()
    return PersonTag.objects.filter(
        Q(until__isnull=True) | Q(until__gte=today), person__status=c.PersonStatus.LIVING
    )


def area_counts(code: str) -> dict[str, Any]:
    people = Person.objects.filter(grid__code__startswith=code, status=c.PersonStatus.LIVING).aggregate(
        people=Count("id"), party_members=Count("id", filter=Q(political_status__in=PARTY))
    )
    households = Household.objects.filter(grid__code__startswith=code).count()
    per_group = dict(
        _current_tags().filter(grid__code__startswith=code).values_list("group_id").annotate(n=Count("id"))
    )
    groups = [{"group": g, "count": per_group.get(g.pk, 0)} for g in KeyGroup.objects.all()]
    return {"households": households, **people, "groups": groups}


def child_counts(code: str, child_length: int) -> dict[str, dict[str, int]]:
    """People, party members and households for each child area of `code` (by code prefix)."""
    prefix = Substr("grid_id", 1, child_length)
    result: dict[str, dict[str, int]] = {}
    rows = (
        Person.objects.filter(grid__code__startswith=code, status=c.PersonStatus.LIVING)
        .annotate(child=prefix)
        .values("child")
        .annotate(people=Count("id"), party_members=Count("id", filter=Q(political_status__in=PARTY)))
    )
    for row in rows:
        result.setdefault(row["child"], {}).update(people=row["people"], party_members=row["party_members"])
    for row in (
        Household.objects.filter(grid__code__startswith=code)
        .annotate(child=prefix)
        .values("child")
        .annotate(n=Count("id"))
    ):
        result.setdefault(row["child"], {})["households"] = row["n"]
    return result

"""Figure 3: the district, street and community pages with their counts.

The counts must be exact (equal to a GROUP BY over the register) and each page served within 3x
the time of a bare fixed page of the same size. Each level is measured twice: the signed-in home
page of a user holding a role there (one card with the area's counts) and the area's own page
(the area's counts and each child's).
"""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils import timezone

from bench.core import Context, Row, at_least
from bench.pages import PAGE_TARGET, client_for, sample_areas, time_page
from gridwork.accounts.models import Role
from gridwork.areas.models import Level
from gridwork.registry import stats
from gridwork.registry.models import Household, Person, PersonTag

KEY = "3"
TITLE = "home pages with counts"
NEEDS_SERVER = False
ROLES = {
    Level.DISTRICT: Role.DISTRICT_STAFF,
    Level.STREET: Role.STREET_STAFF,
    Level.COMMUNITY: Role.ACCEPTANCE_CENTRE,
}
PARTY = ["party_member", "probationary"]


def scanned_counts(code: str) -> dict:
    """The counts by a scan of the register (what the summary must equal)."""
    living = Person.objects.filter(grid__code__startswith=code, status="living")
    people = living.aggregate(
        people=Count("id"), party_members=Count("id", filter=Q(political_status__in=PARTY))
    )
    today = timezone.localdate()
    tags = PersonTag.objects.filter(
        Q(until__isnull=True) | Q(until__gte=today), grid__code__startswith=code, person__status="living"
    )
    return {
        "households": Household.objects.filter(grid__code__startswith=code).count(),
        **people,
        "groups": dict(tags.values_list("group_id").annotate(n=Count("id"))),
    }


def shown_counts(code: str) -> dict:
    counts = stats.area_counts(code)
    return {
        "households": counts["households"],
        "people": counts["people"],
        "party_members": counts["party_members"],
        "groups": {row["group"].pk: row["count"] for row in counts["groups"] if row["count"]},
    }


def run(ctx: Context) -> list[Row]:
    rows: list[Row] = []
    areas = sample_areas()
    for level, role in ROLES.items():
        area = areas[level]
        exact = shown_counts(area.code) == scanned_counts(area.code)
        client = client_for(role, area)
        for label, path in (("home", "/"), ("area page", f"/areas/{area.code}/")):
            timing = time_page(ctx, client, path)
            rows.append(
                Row(
                    figure=f"{KEY}. {TITLE}",
                    what=f"{level.name.lower()} {label} {path} ({timing.size:,} B, {timing.queries} queries)",
                    value=round(timing.seconds * 1000, 2),
                    unit="ms",
                    reference=round(timing.bare_seconds * 1000, 2),
                    ratio=round(timing.ratio, 2),
                    target=f">= {PAGE_TARGET:.2f} (3x) and counts exact",
                    passed=exact and at_least(timing.ratio, PAGE_TARGET),
                    note=f"counts exact: {'yes' if exact else 'NO'}; {timing.note()}",
                )
            )
    return rows

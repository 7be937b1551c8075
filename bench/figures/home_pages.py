"""Figure 3: home pages and area pages with their counts, on distinct requests.

The counts must be exact (equal to a GROUP BY over the register, checked at one area of each
level) and each kind of page's median within 4x the bare signed-in view's (bench/pages.py). Each
timed round asks for another page of the kind: the home page of another user holding a role at
the district, at another street or at another community (one card with the area's counts), or
the page of another area of a level (the area's counts and each child's).
"""

from __future__ import annotations

import random

from django.db.models import Count, Q
from django.utils import timezone

from bench.core import Context, Row, at_least
from bench.pages import PAGE_TARGET, areas_at, client_for, sample_areas, signed_in, time_distinct, user_for
from gridwork.accounts.models import Role
from gridwork.areas.models import Level
from gridwork.registry import stats
from gridwork.registry.models import Household, Person, PersonTag

KEY = "3"
TITLE = "home and area pages with counts"
NEEDS_SERVER = False
ROLES = {
    Level.DISTRICT: Role.DISTRICT_STAFF,
    Level.STREET: Role.STREET_STAFF,
    Level.COMMUNITY: Role.ACCEPTANCE_CENTRE,
}
PARTY = ["party_member", "probationary"]
# Users holding a role at the one district (the other levels: one per area, as many as the rounds).
DISTRICT_USERS = 20


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


def _row(ctx: Context, timing, exact: bool) -> Row:  # type: ignore[no-untyped-def]
    return Row(
        figure=f"{KEY}. {TITLE}",
        what=timing.label,
        value=round(timing.seconds * 1000, 2),
        unit="ms",
        reference=round(timing.bare_seconds * 1000, 2),
        ratio=round(timing.ratio, 2),
        target=f">= {PAGE_TARGET:.2f} (4x) and counts exact",
        passed=exact and at_least(timing.ratio, PAGE_TARGET),
        note=f"counts exact: {'yes' if exact else 'NO'}; {timing.note()}",
    )


def run(ctx: Context) -> list[Row]:
    rng = random.Random(ctx.seed)
    sample = sample_areas()
    exact = all(shown_counts(area.code) == scanned_counts(area.code) for area in sample.values())
    rows: list[Row] = []
    for level, role in ROLES.items():
        codes = areas_at(level, ctx.repeat + 3, rng)
        if level == Level.DISTRICT:  # one district: different users holding a role there
            requests = [(signed_in(user_for(role, codes[0], index)), "/") for index in range(DISTRICT_USERS)]
        else:
            requests = [(client_for(role, code), "/") for code in codes]
        timing = time_distinct(ctx, f"{level.name.lower()}-level home / ({len(requests)} users)", requests)
        rows.append(_row(ctx, timing, exact))
    viewer = client_for(Role.DISTRICT_STAFF, sample[Level.DISTRICT].code)
    for level in (Level.DISTRICT, Level.STREET, Level.COMMUNITY, Level.GRID):
        codes = areas_at(level, ctx.repeat + 3, rng)
        requests = [(viewer, f"/areas/{code}/") for code in codes]
        timing = time_distinct(
            ctx, f"{level.name.lower()} area pages /areas/<code>/ ({len(codes)} areas)", requests
        )
        rows.append(_row(ctx, timing, exact))
    return rows

"""Cases for the bench district, inserted in bulk (one row per case, no timeline): enough for the
list pages to page through a realistic queue. The write figure creates cases through the API."""

from __future__ import annotations

import datetime as dt
import random

from django.db import connection, transaction
from django.utils import timezone

from gridwork.areas.models import Area, Level
from gridwork.cases.models import Case, Category, Source, Status, Track

CASES_AT_FULL_SCALE = 1_000_000
BATCH = 5_000
# Mostly closed, as in a district that has run for a while; the open ones wait at the grid (on the
# spot) or at the community's acceptance centre (submitted).
STATUS_WEIGHTS = ((Status.CLOSED, 80), (Status.ON_SITE, 12), (Status.SUBMITTED, 8))


def build_cases(scale: float, seed: int) -> int:
    """Insert scale x 1,000,000 cases spread over every grid; returns how many."""
    total = int(CASES_AT_FULL_SCALE * scale)
    grids = list(Area.objects.filter(level=Level.GRID).values_list("code", flat=True))
    categories = list(Category.objects.active().leaves().values_list("pk", "default_track"))
    if not grids or not categories or total <= 0:
        return 0
    rng = random.Random(seed)
    statuses = [s for s, _ in STATUS_WEIGHTS]
    weights = [w for _, w in STATUS_WEIGHTS]
    now = timezone.now()
    made = 0
    with transaction.atomic():
        while made < total:
            rows = []
            for i in range(made, min(total, made + BATCH)):
                grid = rng.choice(grids)
                category, track = rng.choice(categories)
                status = rng.choices(statuses, weights)[0]
                created = now - dt.timedelta(minutes=rng.randrange(1, 365 * 24 * 60))
                open_ = status != Status.CLOSED
                rows.append(
                    Case(
                        tracking_code=f"B{i:012d}",
                        category_id=category,
                        track=track if status != Status.ON_SITE else Track.ROUTINE,
                        status=status,
                        source=Source.PATROL,
                        title=f"bench case {i}",
                        grid_id=grid,
                        holder_area_id=(grid if status == Status.ON_SITE else grid[:12]) if open_ else None,
                        step_started_at=created if open_ else None,
                        step_limit_minutes=480 if open_ else None,
                        step_deadline=created + dt.timedelta(days=2) if open_ else None,
                        created_at=created,
                        closed_at=created + dt.timedelta(days=1) if not open_ else None,
                    )
                )
            Case.objects.bulk_create(rows, batch_size=BATCH)
            made += len(rows)
    analyze()
    return made


def analyze() -> None:
    """Refresh the planner's statistics after the bulk load. Without them SQLite answers a
    community's open cases from the status index (a fifth of the table) instead of the grid range."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def wipe_cases() -> None:
    """Remove every case (before the demo district is wiped: cases hold their grid)."""
    from gridwork.cases.models import CaseEvent, CasePhoto
    from gridwork.notify.models import Notification

    quote = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {quote(Case._meta.db_table)} CASCADE")
            return
        for model in (Notification, CasePhoto, CaseEvent):
            where = " WHERE case_id IS NOT NULL" if model is Notification else ""
            cursor.execute(f"DELETE FROM {quote(model._meta.db_table)}{where}")  # noqa: S608 - model tables
        cursor.execute(f"DELETE FROM {quote(Case._meta.db_table)}")  # noqa: S608

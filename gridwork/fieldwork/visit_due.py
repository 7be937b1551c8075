"""Who is due a visit: every living person with a current key-people tag, from their last visit.

Due on: the next visit date the last visit set, else the last visit's day plus the shortest
interval among the person's current tags (`KeyGroup.visit_interval_days`); never visited: due
today. Overdue: due before today. A visit to the person's household counts for its members.

Two queries whatever the number of people: one for the people with their interval, last visit and
place (grouped in SQL, the last visit from an index probe per person), one for their tags' names.
The date arithmetic is done on those rows in Python: adding a per-row number of days to a date
has no portable SQL form between SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Min, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from gridwork.core.language import pick
from gridwork.fieldwork.visit_models import Visit
from gridwork.registry.choices import PersonStatus, Sensitivity
from gridwork.registry.models import Person, PersonTag


@dataclass
class DueRow:
    person_id: int
    name: str
    grid: str
    household_id: int | None
    household_number: str
    lon: float | None
    lat: float | None
    address: str
    interval_days: int
    last_visit: dt.datetime | None
    due_on: dt.date
    overdue_days: int
    tags: list[str] = field(default_factory=list)

    @property
    def overdue(self) -> bool:
        return self.overdue_days > 0

    @property
    def never_visited(self) -> bool:
        return self.last_visit is None


def current_tag_q(today: dt.date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}since__lte": today}) & (
        Q(**{f"{prefix}until__isnull": True}) | Q(**{f"{prefix}until__gte": today})
    )


def _last_visit(column: str) -> Subquery:
    last = Visit.objects.filter(
        Q(person_id=OuterRef("id")) | Q(household_id=OuterRef("household_id"))
    ).order_by("-visited_at", "-id")
    return Subquery(last.values(column)[:1])


def due_rows(
    user: Any, *, area: str | None = None, today: dt.date | None = None, with_tags: bool = True
) -> list[DueRow]:
    """Everyone in the user's reach (under `area`, if given) who has a visit interval, by due date;
    `with_tags`: with the names of their tags (the second query)."""
    today = today or timezone.localdate()
    people = Person.objects.visible_to(user).filter(status=PersonStatus.LIVING)
    if area:
        people = people.in_area(area)
    rows = (
        people.values(
            "id",
            "name",
            "grid_id",
            "household_id",
            "household__number",
            "household__house__building__lon",
            "household__house__building__lat",
            "household__house__building__address",
        )
        .annotate(interval=Min("tags__group__visit_interval_days", filter=current_tag_q(today, "tags__")))
        .filter(interval__isnull=False)
        .annotate(last_at=_last_visit("visited_at"), next_on=_last_visit("next_visit_on"))
    )
    found: list[DueRow] = []
    for row in rows:
        last_at = row["last_at"]
        if last_at is None:
            due_on = today
        elif row["next_on"] is not None:
            due_on = row["next_on"]
        else:
            due_on = timezone.localtime(last_at).date() + dt.timedelta(days=row["interval"])
        found.append(
            DueRow(
                person_id=row["id"],
                name=row["name"],
                grid=row["grid_id"],
                household_id=row["household_id"],
                household_number=row["household__number"] or "",
                lon=row["household__house__building__lon"],
                lat=row["household__house__building__lat"],
                address=row["household__house__building__address"] or "",
                interval_days=row["interval"],
                last_visit=last_at,
                due_on=due_on,
                overdue_days=max(0, (today - due_on).days),
            )
        )
    if with_tags:
        _attach_tags(found, today)
    found.sort(key=lambda r: (r.due_on, r.grid, r.name, r.person_id))
    return found


def _attach_tags(rows: list[DueRow], today: dt.date) -> None:
    """The tags' names; a sensitive group is named only as protected, as the register's lists do."""
    if not rows:
        return
    labels: dict[int, list[str]] = defaultdict(list)
    tags = (
        PersonTag.objects.filter(current_tag_q(today), person_id__in=[r.person_id for r in rows])
        .order_by("group__sort_order")
        .values_list("person_id", "group__name", "group__name_en", "group__sensitivity")
    )
    for person_id, name, name_en, sensitivity in tags:
        label = pick(name, name_en) if sensitivity <= Sensitivity.NORMAL else _("protected group")
        if label not in labels[person_id]:
            labels[person_id].append(label)
    for row in rows:
        row.tags = labels[row.person_id]

"""Many past visits at once (an import of a paper visit book, the demo's year): the batch form of
`visit_services.record_visit`, without follow-ups.

Each row is checked as a single visit is (a person in the row's grid and in the actor's reach, a
known kind, a past moment with a zone, a point in the grid's city); any bad row refuses the whole
batch with the rows' numbers, and nothing is written. Then one bulk insert, and one audit entry
per grid with the number of visits.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridwork.accounts.access import FIELDWORK_VISITS_RECORD
from gridwork.accounts.permissions import require
from gridwork.core import audit
from gridwork.core.errors import not_in_area
from gridwork.core.models import AuditEvent
from gridwork.fieldwork.visit_models import Visit, VisitKind
from gridwork.fieldwork.visit_places import city_bounds
from gridwork.fieldwork.visit_services import CLOCK_SKEW, TEXT_LIMIT
from gridwork.registry.models import Person
from gridwork.registry.services import scoped

BATCH_MAX = 50_000


def _row_errors(
    row: dict[str, Any], people: dict[int, tuple[str, int | None]], bounds: dict, now: dt.datetime
) -> list[str]:
    problems = []
    found = people.get(row.get("person_id"))
    if found is None or found[0] != row.get("grid"):
        problems.append(not_in_area())
    at = row.get("visited_at")
    if not isinstance(at, dt.datetime) or timezone.is_naive(at) or at > now + CLOCK_SKEW:
        problems.append(_("A visit or a note cannot be dated in the future."))
    if row.get("kind", VisitKind.HOME) not in VisitKind.values:
        problems.append(_("Unknown kind of visit."))
    box = bounds.get(row.get("grid"))
    lon, lat = row.get("lon"), row.get("lat")
    if lon is not None and box is not None and not (box[0] <= lon <= box[2] and box[1] <= lat <= box[3]):
        problems.append(_("This position is outside the grid's city."))
    if any(len(row.get(name) or "") > TEXT_LIMIT for name in ("findings", "needs")):
        problems.append(_("At most %(n)d characters.") % {"n": TEXT_LIMIT})
    return problems


def record_visits_batch(actor: Any, rows: list[dict[str, Any]]) -> int:
    """Rows: person_id, grid, visited_at, kind, findings, needs, lon, lat, next_visit_on (optional)."""
    if len(rows) > BATCH_MAX:
        raise ValidationError({"rows": [_("At most %(n)d entries at a time.") % {"n": BATCH_MAX}]})
    with transaction.atomic():
        grids = sorted({str(row.get("grid") or "") for row in rows})
        for grid in grids:
            require(actor, FIELDWORK_VISITS_RECORD, grid)
        ids = {row.get("person_id") for row in rows}
        people = {
            pk: (grid, household)
            for pk, grid, household in scoped(Person, actor)
            .filter(pk__in=[i for i in ids if isinstance(i, int)])
            .values_list("pk", "grid_id", "household_id")
        }
        bounds = {grid: city_bounds(grid) for grid in grids}
        now = timezone.now()
        errors = []
        for number, row in enumerate(rows, start=1):
            errors += [f"{number}: {problem}" for problem in _row_errors(row, people, bounds, now)]
        if errors:
            raise ValidationError({"rows": errors[:50]})
        visits = [
            Visit(
                grid_id=row["grid"],
                person_id=row["person_id"],
                household_id=people[row["person_id"]][1],
                worker=actor,
                visited_at=row["visited_at"],
                kind=row.get("kind", VisitKind.HOME),
                findings=row.get("findings") or "",
                needs=row.get("needs") or "",
                lon=row.get("lon"),
                lat=row.get("lat"),
                next_visit_on=row.get("next_visit_on"),
            )
            for row in rows
        ]
        Visit.objects.bulk_create(visits, batch_size=2000)
        for grid, count in Counter(row["grid"] for row in rows).items():
            audit.log(
                AuditEvent.Action.CREATE,
                actor,
                object_type=AuditEvent.Action.CREATE,
                area_code=grid,
                detail={"visits": count},
            )
    return len(visits)

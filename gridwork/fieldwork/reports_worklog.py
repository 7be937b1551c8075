"""The work log: a worker's day in a grid, its figures counted from the day's records
(reports_sources.DAY_SOURCES) and the worker's own lines."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridwork.accounts.access import (
    FIELDWORK_REPORTS_RECORD,
    FIELDWORK_REPORTS_VIEW,
    GRID_CODE_LENGTH,
    can,
    grid_codes,
)
from gridwork.accounts.permissions import require
from gridwork.areas.models import Area, Level
from gridwork.core import audit
from gridwork.core.bounds import EARLIEST_DATE
from gridwork.core.errors import NotFound
from gridwork.core.models import AuditEvent
from gridwork.fieldwork import reports_sources as sources
from gridwork.fieldwork.reports_models import BusinessLine, WorkLog, WorkLogLine

LINE_MAX = 500


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return start, timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


def own_grids(user: Any) -> list[str]:
    """The grids where the user records field work (their grid roles), in code order."""
    return grid_codes(user, FIELDWORK_REPORTS_RECORD)


def _day(value: Any) -> dt.date:
    if not isinstance(value, dt.date):
        try:
            value = dt.date.fromisoformat(str(value or ""))
        except ValueError:
            raise ValidationError({"day": _("Enter a valid date.")}) from None
    if value < EARLIEST_DATE:
        raise ValidationError({"day": _("Enter a valid date.")})
    if value > timezone.localdate():
        raise ValidationError({"day": _("The date lies in the future.")})
    return value


def _readable_grid(actor: Any, code: str) -> str:
    """The code of a grid that exists and whose field work the actor reads; else as missing. A
    grid code the actor's scope would cover but which names no grid is missing too."""
    if (
        len(code or "") != GRID_CODE_LENGTH
        or not can(actor, FIELDWORK_REPORTS_VIEW, code)
        or not Area.objects.filter(code=code, level=Level.GRID).exists()
    ):
        raise NotFound(_("No such grid."))
    return code


def _grid_of(actor: Any, grid_code: str | None) -> str:
    grids = own_grids(actor)
    code = _readable_grid(actor, grid_code or (grids[0] if grids else ""))
    require(actor, FIELDWORK_REPORTS_RECORD, code)
    return code


def add_line(
    actor: Any,
    day: Any,
    text: str,
    *,
    grid_code: str | None = None,
    line_code: str = "",
    now: dt.datetime | None = None,
) -> WorkLogLine:
    """One line the worker writes into their log of the day (the log is started if need be)."""
    now = now or timezone.now()
    day = _day(day)
    code = _grid_of(actor, grid_code)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("This field is required.")})
    if len(text) > LINE_MAX:
        raise ValidationError({"text": _("A line may be at most %(n)d characters.") % {"n": LINE_MAX}})
    line = None
    if line_code:
        line = BusinessLine.objects.filter(code=line_code, active=True).first()
        if line is None:
            raise ValidationError({"line": _("Unknown business line: %(code)s") % {"code": line_code}})
    with transaction.atomic():
        log = WorkLog.objects.select_for_update().filter(worker=actor, grid_id=code, day=day).first()
        if log is None:
            try:
                with transaction.atomic():
                    log = WorkLog.objects.create(worker=actor, grid_id=code, day=day, created_at=now)
            except IntegrityError:  # started by a parallel request
                log = WorkLog.objects.select_for_update().get(worker=actor, grid_id=code, day=day)
        entry = WorkLogLine.objects.create(log=log, text=text, line=line, created_at=now)
        audit.log(AuditEvent.Action.CREATE, actor, obj=log, detail={"line": entry.pk})
    return entry


def day_log(actor: Any, day: Any, *, grid_code: str | None = None, worker: Any = None) -> dict[str, Any]:
    """A worker's log of a day: the figures from the records and their lines. By default the actor's
    own; another worker's log only where the actor may read that grid's field work."""
    day = _day(day)
    worker = worker or actor
    code = _readable_grid(actor, grid_code or (own_grids(worker)[0] if own_grids(worker) else ""))
    log = WorkLog.objects.visible_to(actor).filter(grid_id=code, day=day, worker=worker).first()
    start, end = day_bounds(day)
    return {
        "day": day,
        "grid": code,
        "worker": worker,
        "log": log,
        "lines": list(log.lines.select_related("line")) if log else [],
        "figures": sources.labelled(sources.day_figures(worker.pk, code, start, end)),
    }

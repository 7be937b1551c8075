"""Opening one register record on its own (a page, an API answer): the scoping function with its
break-the-glass grants, and the read written to the audit log.

One audit entry per record opened, never one per row of a list: the unusual-reading alert counts
these entries (web.audit_alerts).
"""

from __future__ import annotations

from typing import Any

from django.db import models

from gridwork.accounts.access import REGISTER_VIEW, can
from gridwork.core import audit
from gridwork.core.errors import NotFound
from gridwork.core.models import AuditEvent
from gridwork.core.system import is_system


def log_read(actor: Any, record: models.Model) -> None:
    """An audit entry for one record opened; the system's own reads are not reads by a person."""
    if is_system(actor):
        return
    grid = getattr(record, "grid_id", "") or ""
    through_glass = bool(grid) and not can(actor, REGISTER_VIEW, grid)
    audit.log(
        AuditEvent.Action.READ, actor, obj=record, detail={"break_glass": True} if through_glass else {}
    )


def open_record(
    model: type[models.Model], actor: Any, pk: Any, queryset: models.QuerySet | None = None
) -> Any:
    """The record if the actor may open it (in scope, or by an active break-the-glass grant), else
    NotFound as for a missing one; the read is logged. `queryset` shapes the read (related rows)."""
    base = queryset if queryset is not None else model._default_manager.all()
    qs = base.all() if is_system(actor) else base.visible_to(actor, opening=pk)
    try:
        record = qs.filter(pk=pk).first()
    except (TypeError, ValueError, OverflowError):
        record = None
    if record is None:
        raise NotFound(model._meta.verbose_name)
    log_read(actor, record)
    return record

"""The overdue flag: a step past its deadline is flagged and escalated one level up."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from gridwork.cases.models import (
    Action,
    Case,
    Status,
)
from gridwork.cases.services.timeline import write_event
from gridwork.core import audit
from gridwork.core.models import AuditEvent
from gridwork.core.system import SYSTEM


def flag_overdue(now: dt.datetime | None = None) -> int:
    """Mark cases whose step deadline has passed, escalate each one level, write an "overdue" entry.

    Each case is handled in its own short transaction, so one busy case does not hold up the rest;
    a case already flagged for its current step is left alone. Returns how many were flagged.
    """
    now = now or timezone.now()
    candidates = list(
        Case.objects.open()
        .exclude(status=Status.SUSPENDED)
        .filter(overdue=False, step_deadline__lt=now)
        .values_list("pk", flat=True)
    )
    flagged = 0
    for pk in candidates:
        with transaction.atomic():
            case = Case.objects.select_for_update().filter(pk=pk).first()
            if (
                case is None
                or case.overdue
                or not case.is_open
                or case.status == Status.SUSPENDED
                or case.step_deadline is None
                or case.step_deadline >= now
            ):
                continue
            holder_before = case.holder_key
            area = case.holder_area_id or case.grid_id
            if len(area) > 6:
                # The level above takes charge; a department keeps the work but answers to it.
                case.holder_area_id = area[:-3]
                case.holder_user = None
                case.escalation_level += 1
            case.overdue = True
            case.version += 1
            case.save()
            write_event(
                case,
                Action.OVERDUE,
                SYSTEM,
                at=now,
                from_status=case.status,
                to_status=case.status,
                holder_before=holder_before,
                holder_after=case.holder_key,
                detail={"step_deadline": case.step_deadline.isoformat()},
            )
            audit.log(AuditEvent.Action.UPDATE, SYSTEM, obj=case, detail={"action": Action.OVERDUE})
            flagged += 1
    return flagged

"""What every case write shares: the timeline entry and its signals, the step clocks, photos
written with the transaction (and removed if it rolls back), the checked point."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from gridwork.cases import machine
from gridwork.cases.calendar import add_working_minutes, limit_minutes
from gridwork.cases.models import (
    Case,
    CaseEvent,
    CasePhoto,
)
from gridwork.cases.photos import CheckedPhoto, discard_files, save_photos
from gridwork.cases.signals import case_event, case_event_written
from gridwork.core.system import is_system


def check_point(lon: Any, lat: Any, errors: dict[str, list[str]]) -> tuple[float | None, float | None]:
    if lon is None and lat is None:
        return None, None
    try:
        lon_f, lat_f = float(lon), float(lat)
    except (TypeError, ValueError):
        errors.setdefault("location", []).append(_("Give both longitude and latitude as numbers."))
        return None, None
    if not (-180 <= lon_f <= 180 and -90 <= lat_f <= 90) or math.isnan(lon_f) or math.isnan(lat_f):
        errors.setdefault("location", []).append(_("The point is not a valid longitude and latitude."))
        return None, None
    return lon_f, lat_f


def actor_label(actor: Any) -> str:
    if is_system(actor):
        return "system"
    if actor is None or not getattr(actor, "is_authenticated", False):
        return ""
    return actor.get_username()


def user_or_none(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def write_event(
    case: Case, action: str, actor: Any, *, role: str = "", label: str = "", **fields: Any
) -> CaseEvent:
    event = CaseEvent(
        case=case,
        action=action,
        actor=user_or_none(actor),
        actor_label=label or actor_label(actor),
        actor_role=role,
        **fields,
    )
    event.save()
    event_id, case_id, to_status = event.pk, case.pk, event.to_status
    # `event` (with its case) as written: every service saves the case before writing its event,
    # so receivers need not read back what was just written.
    details = {
        "case_id": case_id,
        "event_id": event_id,
        "action": action,
        "to_status": to_status,
        "event": event,
    }
    case_event_written.send(sender=Case, **details)
    transaction.on_commit(lambda: case_event.send(sender=Case, **details))
    return event


def start_step(case: Case, step: str, now: dt.datetime) -> None:
    amount, unit = machine.limit_for(case.category.limits, case.track, step)
    minutes = limit_minutes(amount, unit)
    case.step_started_at = now
    case.step_limit_minutes = minutes
    case.step_deadline = add_working_minutes(now, minutes)
    case.overdue = False


def stop_clock(case: Case) -> None:
    case.step_started_at = case.step_limit_minutes = case.step_deadline = None
    case.overdue = False


def set_overall_deadline(case: Case, now: dt.datetime) -> None:
    amount, unit = machine.limit_for(case.category.limits, case.track, "total")
    case.deadline = add_working_minutes(now, limit_minutes(amount, unit))


def with_photos(case: Case, event: CaseEvent, photos: list[CheckedPhoto], actor: Any) -> None:
    if not photos:
        return
    saved: list[CasePhoto] = []
    try:
        save_photos(case, event, photos, actor, saved)
    except BaseException:
        discard_files(saved)
        raise
    # The files are written before the commit; if the transaction rolls back they must go too.
    _register_rollback_cleanup(saved)


def _register_rollback_cleanup(saved: list[CasePhoto]) -> None:
    connection = transaction.get_connection()
    pending = getattr(connection, "_gridwork_case_photos", None)
    if pending is None:
        pending = []
        connection._gridwork_case_photos = pending
    pending.extend(saved)


def run_with_photo_cleanup(func: Any) -> Any:
    """Run `func` in a transaction; delete photo files it stored if the transaction does not commit."""
    connection = transaction.get_connection()
    outer = getattr(connection, "_gridwork_case_photos", None)
    connection._gridwork_case_photos = []
    try:
        with transaction.atomic():
            result = func()
    except BaseException:
        discard_files(connection._gridwork_case_photos)
        raise
    finally:
        saved = connection._gridwork_case_photos
        connection._gridwork_case_photos = outer
        if outer is not None:
            outer.extend(saved)
    return result

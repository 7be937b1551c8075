"""Reporting a case: checked, routed to its grid and holder, its deadlines set, written with its
first timeline entry."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gridwork.accounts.access import CASES_REPORT, can
from gridwork.areas.services import locate_grid
from gridwork.cases import calendar, machine, reference
from gridwork.cases.models import (
    Action,
    Case,
    Source,
    Status,
    Track,
)
from gridwork.cases.photos import check_photos
from gridwork.cases.services.lookup import acting_role
from gridwork.cases.services.timeline import (
    check_point,
    run_with_photo_cleanup,
    set_overall_deadline,
    start_step,
    user_or_none,
    with_photos,
    write_event,
)
from gridwork.core import audit
from gridwork.core.models import AuditEvent
from gridwork.core.system import is_system
from gridwork.core.validators import control_character_errors, validate_phone
from gridwork.registry.models import Building, Person

TRACKING_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud on the phone
TRACKING_LENGTH = 12
# Offline clients send their own time; a little clock skew is tolerated, the future is not.
CLOCK_SKEW = dt.timedelta(minutes=5)
PUBLIC_SOURCES = frozenset({Source.RESIDENT, Source.OPEN311})


def _new_tracking_code() -> str:
    for _attempt in range(10):
        code = "".join(secrets.choice(TRACKING_ALPHABET) for _n in range(TRACKING_LENGTH))
        if not Case.objects.filter(tracking_code=code).exists():
            return code
    raise RuntimeError("no free tracking code")  # 60 random bits: not expected in practice


def _resolve_reference(model_path: str, actor: Any, pk: Any, field: str, errors: dict[str, list[str]]) -> Any:
    model = Building if model_path == "building" else Person
    system = is_system(actor)

    def scoped(key: int) -> QuerySet:
        return (model.objects.all() if system else model.objects.visible_to(actor)).filter(pk=key)

    try:
        found = scoped(int(pk)).first()
    except (TypeError, ValueError):
        found = None
    if found is None:
        errors.setdefault(field, []).append(_("No such record in your area."))
    return found


def report_case(
    actor: Any,
    *,
    category: str,
    title: str,
    source: str,
    description: str = "",
    lon: Any = None,
    lat: Any = None,
    building_id: Any = None,
    person_id: Any = None,
    address: str = "",
    track: str | None = None,
    reporter_name: str = "",
    reporter_phone: str = "",
    note: str = "",
    photos: Any = (),
    at: dt.datetime | None = None,
) -> Case:
    """Register a new case and route it: grid from building, person or point; see INTERFACE.md."""
    errors: dict[str, list[str]] = {}
    now = timezone.now()
    cat = reference.active_leaf((category or "").strip())
    if cat is None:
        errors["category"] = [_("Unknown category.")]
    title = (title or "").strip()
    if not title:
        errors["title"] = [_("This field is required.")]
    elif len(title) > 200:
        errors["title"] = [
            _("Ensure this value has at most %(limit_value)s characters.") % {"limit_value": 200}
        ]
    if source not in Source.values:
        errors["source"] = [_("Unknown source.")]
    if track is not None and track not in Track.values:
        errors["track"] = [_("Unknown track.")]
    reporter_name, reporter_phone = (reporter_name or "").strip(), (reporter_phone or "").strip()
    if reporter_phone:
        try:
            validate_phone(reporter_phone)
        except ValidationError as exc:
            errors["reporter_phone"] = exc.messages
    if at is not None and (timezone.is_naive(at) or at > now + CLOCK_SKEW):
        errors["at"] = [_("The time must be a past moment with a time zone.")]
    lon_f, lat_f = check_point(lon, lat, errors)
    try:
        checked = check_photos(photos)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        checked = []

    grid_code, building, person = None, None, None
    if building_id is not None:
        building = _resolve_reference("building", actor, building_id, "building", errors)
        grid_code = building.grid_id if building else None
    elif person_id is not None:
        person = _resolve_reference("person", actor, person_id, "person", errors)
        grid_code = person.grid_id if person else None
    elif lon_f is not None:
        grid_code = locate_grid(lon_f, lat_f)
        if grid_code is None:
            errors.setdefault("location", []).append(_("The point lies outside every grid."))
    elif "location" not in errors:
        errors["location"] = [_("Give a point, a building or a person.")]
    if building is not None and lon_f is None:
        lon_f, lat_f = building.lon, building.lat
    for name, messages in control_character_errors(
        {
            "title": title,
            "address": address,
            "reporter_name": reporter_name,
            "reporter_phone": reporter_phone,
        },
        {"description": description, "note": note},
    ).items():
        errors.setdefault(name, []).extend(messages)

    staff = bool(grid_code) and (is_system(actor) or can(actor, CASES_REPORT, grid_code))
    if grid_code and not staff:
        if source not in PUBLIC_SOURCES:
            raise PermissionDenied(_("You may not report cases from this source in this area."))
        if track is not None and cat is not None and track != cat.default_track:
            errors["track"] = [_("Only staff choose the track.")]
        if source == Source.RESIDENT and not (reporter_name and reporter_phone):
            errors["reporter_phone"] = [_("Leave a name and a phone number so we can reach you.")]
    if errors:
        raise ValidationError(errors)

    track = track or cat.default_track
    when = at or now
    case = Case(
        tracking_code=_new_tracking_code(),
        category=cat,
        track=track,
        source=source,
        title=title,
        description=(description or "").strip(),
        address=(address or "").strip()[:200],
        lon=lon_f,
        lat=lat_f,
        grid_id=grid_code,
        building=building,
        person=person,
        reporter=user_or_none(actor),
        reporter_name=reporter_name[:50],
        reporter_phone=reporter_phone,
        created_at=when,
    )
    grid_role = acting_role(actor, machine.GRID_ROLES, case) if user_or_none(actor) else None
    if track == Track.ROUTINE and staff:
        case.status, case.holder_area_id, step = Status.ON_SITE, grid_code, "on_site"
        case.holder_user = user_or_none(actor) if grid_role else None
    elif track == Track.EMERGENCY:
        case.status, case.holder_area_id, step = Status.EMERGENCY, grid_code[:12], "emergency"
    else:
        case.status, case.holder_area_id, step = Status.SUBMITTED, grid_code[:12], "accept"
    with calendar.one_read():  # both deadlines from one fetch of the calendar
        start_step(case, step, now)
        set_overall_deadline(case, when)

    def create() -> Case:
        case.save()
        event = write_event(
            case,
            Action.REPORT,
            actor,
            role=grid_role or "",
            at=when,
            lon=lon_f,
            lat=lat_f,
            note=(note or "").strip(),
            to_status=case.status,
            holder_after=case.holder_key,
            detail={"source": source, "track": track},
        )
        if case.status == Status.EMERGENCY:
            # Emergencies reach the street and the community at once; notifications read these entries.
            for area in (grid_code[:9], grid_code[:12]):
                write_event(
                    case,
                    Action.ALERT,
                    actor,
                    at=now,
                    from_status=case.status,
                    to_status=case.status,
                    holder_before=case.holder_key,
                    holder_after=case.holder_key,
                    detail={"area": area},
                )
        with_photos(case, event, checked, actor)
        audit.log(AuditEvent.Action.CREATE, actor, obj=case, detail={"tracking_code": case.tracking_code})
        return case

    return run_with_photo_cleanup(create)

"""The only code that writes cases: reporting, the state machine's transitions, rating, overdue flags.

Every write checks state, role and scope, runs in one transaction with the case row locked, writes
the timeline (and the audit log) and sends `signals.case_event_written` in the transaction and
`signals.case_event` after commit.
"""

from __future__ import annotations

import datetime as dt
import math
import secrets
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gridwork.accounts.access import CASES_REPORT, active_assignments, can
from gridwork.accounts.models import Role
from gridwork.areas.services import locate_grid
from gridwork.cases import calendar, machine, reference
from gridwork.cases.calendar import add_working_minutes, limit_minutes, working_minutes_between
from gridwork.cases.errors import StaleCase, TransitionNotAllowed
from gridwork.cases.models import (
    Action,
    Case,
    CaseEvent,
    CasePhoto,
    Category,
    Source,
    Status,
    TimeUnit,
    Track,
)
from gridwork.cases.photos import CheckedPhoto, check_photos, discard_files, save_photos
from gridwork.cases.signals import case_event, case_event_written
from gridwork.core import audit
from gridwork.core.errors import NotFound
from gridwork.core.models import AuditEvent
from gridwork.core.system import is_system
from gridwork.core.validators import validate_phone

TRACKING_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud on the phone
TRACKING_LENGTH = 12
PUBLIC_SOURCES = frozenset({Source.RESIDENT, Source.OPEN311})
ACTION_PARAMS: dict[str, frozenset[str]] = {
    Action.ACCEPT: frozenset({"track", "category"}),
    Action.DISPATCH: frozenset({"department"}),
    Action.MERGE: frozenset({"into"}),
    Action.EXTEND: frozenset({"amount", "unit"}),
}
# Notes addressed to the resident, shown on the public timeline.
PUBLIC_NOTE_ACTIONS = frozenset({Action.FEEDBACK, Action.REJECT, Action.DENY, Action.RESOLVE})
# Offline clients send their own time; a little clock skew is tolerated, the future is not.
CLOCK_SKEW = dt.timedelta(minutes=5)


# --- reading -------------------------------------------------------------------------------------


def get_visible_case(
    actor: Any, case_id: Any, *, lock: bool = False, queryset: QuerySet[Case] | None = None
) -> Case:
    """The case if the actor may see it, else NotFound; `queryset` shapes the read (related rows)."""
    base = queryset if queryset is not None else Case.objects.all()
    qs = base if is_system(actor) else base.visible_to(actor)
    if lock:
        qs = qs.select_for_update(of=("self",))
    try:
        case = qs.filter(pk=int(case_id)).first()
    except (TypeError, ValueError):
        case = None
    if case is None:
        raise NotFound(Case._meta.verbose_name)
    return case


def get_by_tracking_code(tracking_code: str) -> Case:
    case = (
        Case.objects.select_related("category")
        .filter(tracking_code=(tracking_code or "").strip().upper())
        .first()
    )
    if case is None:
        raise NotFound(Case._meta.verbose_name)
    return case


def public_timeline(case: Case) -> list[dict[str, Any]]:
    """The timeline as a resident may see it: what happened and when; no names, no contacts, no places."""
    entries = []
    for event in case.events.all():
        entries.append(
            {
                "action": event.action,
                "action_label": Action(event.action).label,
                "status": event.to_status,
                "status_label": Status(event.to_status).label if event.to_status else "",
                "at": event.at,
                "note": event.note if event.action in PUBLIC_NOTE_ACTIONS else "",
            }
        )
    return entries


def acting_role(actor: Any, roles: frozenset[str], case: Case) -> str | None:
    """The first of the actor's roles that may act on the case here, or None.

    Grid roles act at the case's grid; a department handler for the holding department only; the
    centre, street and district at the holding area (so a case escalated above them leaves their hands).
    """
    if is_system(actor):
        return "system"
    for assignment in active_assignments(actor):
        role, area = assignment.role, assignment.area_id
        if role not in roles:
            continue
        if role in machine.GRID_ROLES:
            ok = case.grid_id.startswith(area)
        elif role == Role.DEPARTMENT_HANDLER:
            ok = bool(assignment.department) and assignment.department == case.holder_department
            ok = ok and case.grid_id.startswith(area)
        else:
            ok = (case.holder_area_id or case.grid_id).startswith(area)
        if ok:
            return role
    return None


def allowed_actions(actor: Any, case: Case) -> list[str]:
    """The table actions this actor may take on the case now (for pages and API hints)."""
    result = []
    for action in machine.actions_from(case.status):
        transition = machine.transition_for(case.status, action)
        if transition and case.track in transition.tracks and acting_role(actor, transition.roles, case):
            result.append(action)
    return result


# --- helpers -------------------------------------------------------------------------------------


def _new_tracking_code() -> str:
    for _attempt in range(10):
        code = "".join(secrets.choice(TRACKING_ALPHABET) for _n in range(TRACKING_LENGTH))
        if not Case.objects.filter(tracking_code=code).exists():
            return code
    raise RuntimeError("no free tracking code")  # 60 random bits: not expected in practice


def _check_point(lon: Any, lat: Any, errors: dict[str, list[str]]) -> tuple[float | None, float | None]:
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


def _label(actor: Any) -> str:
    if is_system(actor):
        return "system"
    if actor is None or not getattr(actor, "is_authenticated", False):
        return ""
    return actor.get_username()


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _write_event(
    case: Case, action: str, actor: Any, *, role: str = "", label: str = "", **fields: Any
) -> CaseEvent:
    event = CaseEvent(
        case=case,
        action=action,
        actor=_user(actor),
        actor_label=label or _label(actor),
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


def _start_step(case: Case, step: str, now: dt.datetime) -> None:
    amount, unit = machine.limit_for(case.category.limits, case.track, step)
    minutes = limit_minutes(amount, unit)
    case.step_started_at = now
    case.step_limit_minutes = minutes
    case.step_deadline = add_working_minutes(now, minutes)
    case.overdue = False


def _stop_clock(case: Case) -> None:
    case.step_started_at = case.step_limit_minutes = case.step_deadline = None
    case.overdue = False


def _set_overall_deadline(case: Case, now: dt.datetime) -> None:
    amount, unit = machine.limit_for(case.category.limits, case.track, "total")
    case.deadline = add_working_minutes(now, limit_minutes(amount, unit))


def _with_photos(case: Case, event: CaseEvent, photos: list[CheckedPhoto], actor: Any) -> None:
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


def _run_with_photo_cleanup(func: Any) -> Any:
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


# --- reporting -----------------------------------------------------------------------------------


def _resolve_reference(model_path: str, actor: Any, pk: Any, field: str, errors: dict[str, list[str]]) -> Any:
    from gridwork.registry.models import Building, Person

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
    lon_f, lat_f = _check_point(lon, lat, errors)
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
        reporter=_user(actor),
        reporter_name=reporter_name[:50],
        reporter_phone=reporter_phone,
        created_at=when,
    )
    grid_role = acting_role(actor, machine.GRID_ROLES, case) if _user(actor) else None
    if track == Track.ROUTINE and staff:
        case.status, case.holder_area_id, step = Status.ON_SITE, grid_code, "on_site"
        case.holder_user = _user(actor) if grid_role else None
    elif track == Track.EMERGENCY:
        case.status, case.holder_area_id, step = Status.EMERGENCY, grid_code[:12], "emergency"
    else:
        case.status, case.holder_area_id, step = Status.SUBMITTED, grid_code[:12], "accept"
    with calendar.one_read():  # both deadlines from one fetch of the calendar
        _start_step(case, step, now)
        _set_overall_deadline(case, when)

    def create() -> Case:
        case.save()
        event = _write_event(
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
                _write_event(
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
        _with_photos(case, event, checked, actor)
        audit.log(AuditEvent.Action.CREATE, actor, obj=case, detail={"tracking_code": case.tracking_code})
        return case

    return _run_with_photo_cleanup(create)


# --- transitions ---------------------------------------------------------------------------------


def _validate_params(case: Case, action: str, params: dict[str, Any], actor: Any) -> dict[str, Any]:
    unknown = set(params) - ACTION_PARAMS.get(action, frozenset())
    if unknown:
        raise ValidationError({name: [_("Unknown parameter.")] for name in sorted(unknown)})
    clean: dict[str, Any] = {}
    if action == Action.ACCEPT:
        track = params.get("track") or case.track
        if track not in Track.values:
            raise ValidationError({"track": [_("Unknown track.")]})
        clean["track"] = track
        if params.get("category"):
            category = reference.active_leaf(params["category"])
            if category is None:
                raise ValidationError({"category": [_("Unknown category.")]})
            clean["category"] = category
    elif action == Action.DISPATCH:
        department = str(params.get("department") or case.category.department).strip()
        if not department or len(department) > 100:
            raise ValidationError({"department": [_("Name the department to dispatch to.")]})
        clean["department"] = department
    elif action == Action.MERGE:
        try:
            target = get_visible_case(actor, params.get("into"))
        except NotFound as exc:
            raise ValidationError({"into": [_("No such case in your area.")]}) from exc
        if target.pk == case.pk or not target.is_open:
            raise ValidationError({"into": [_("Merge into another open case.")]})
        clean["into"] = target
    elif action == Action.EXTEND:
        try:
            amount = int(params.get("amount"))
        except (TypeError, ValueError):
            amount = 0
        if not 0 < amount <= 1000:
            raise ValidationError({"amount": [_("Give a positive amount.")]})
        unit = params.get("unit") or TimeUnit.DAYS
        if unit not in TimeUnit.values:
            raise ValidationError({"unit": [_("The unit must be working hours or working days.")]})
        clean["minutes"] = limit_minutes(amount, unit)
        clean["amount"], clean["unit"] = amount, unit
    return clean


def _last_department(case: Case) -> str:
    last = (
        case.events.exclude(department="").order_by("-at", "-id").values_list("department", flat=True).first()
    )
    return last or ""


def _apply_holder(case: Case, rule: str, clean: dict[str, Any]) -> None:
    grid = case.grid_id
    if rule == machine.KEEP:
        return
    if rule == machine.GRID:
        case.holder_user, case.holder_area_id, case.holder_department = None, grid, ""
    elif rule == machine.CENTRE:
        case.holder_user, case.holder_area_id, case.holder_department = None, grid[:12], ""
    elif rule == machine.STREET:
        case.holder_user, case.holder_area_id, case.holder_department = None, grid[:9], ""
    elif rule == machine.UP:
        area = case.holder_area_id or grid
        if len(area) <= 6:
            raise TransitionNotAllowed(_("The case is already held at the district level."))
        case.holder_user, case.holder_area_id, case.holder_department = None, area[:-3], ""
    elif rule == machine.TO_DEPARTMENT:
        case.holder_user, case.holder_department = None, clean["department"]
        case.holder_area_id = case.holder_area_id or grid[:12]
    elif rule == machine.REWORK:
        department = _last_department(case)
        if not department:
            raise TransitionNotAllowed(_("No department has handled this case."))
        case.holder_user, case.holder_area_id, case.holder_department = None, grid[:12], department
        clean["department"] = department
    elif rule == machine.DROP_DEPARTMENT:
        case.holder_user, case.holder_department = None, ""


def act(
    actor: Any,
    case_id: Any,
    action: str,
    *,
    note: str = "",
    lon: Any = None,
    lat: Any = None,
    photos: Any = (),
    expected_version: int | None = None,
    **params: Any,
) -> CaseEvent:
    """Apply one transition of the table to a case; see INTERFACE.md for the errors."""
    if action not in Action.values or action in machine.NON_TABLE_ACTIONS:
        raise ValidationError({"action": [_("Unknown action.")]})
    errors: dict[str, list[str]] = {}
    lon_f, lat_f = _check_point(lon, lat, errors)
    if errors:
        raise ValidationError(errors)
    checked = check_photos(photos)
    note = (note or "").strip()

    def apply() -> CaseEvent:
        case = get_visible_case(actor, case_id, lock=True)
        if expected_version is not None and case.version != expected_version:
            raise StaleCase(_("The case was changed by someone else; reload it and try again."))
        transition = machine.transition_for(case.status, action)
        if transition is None or case.track not in transition.tracks:
            raise TransitionNotAllowed(
                _("“%(action)s” is not possible while the case is “%(status)s”.")
                % {"action": Action(action).label, "status": Status(case.status).label}
            )
        role = acting_role(actor, transition.roles, case)
        if role is None:
            raise PermissionDenied(_("Your role does not allow this action on this case."))
        if transition.needs_note and not note:
            raise ValidationError({"note": [_("Give a reason.")]})
        clean = _validate_params(case, action, params, actor)
        now = timezone.now()
        from_status, holder_before = case.status, case.holder_key
        detail: dict[str, Any] = {}

        if action == Action.ACCEPT:
            if "category" in clean:
                case.category = clean["category"]
                detail["category"] = case.category.code
            case.track = clean["track"]
            detail["track"] = case.track
        elif transition.becomes.get(case.track):
            case.track = transition.becomes[case.track]
            detail["track"] = case.track
        track = case.track

        to_status = transition.pick(transition.to, track)
        if to_status == machine.PREVIOUS:
            to_status = case.suspended_status or Status.ACCEPTED
        holder_rule = transition.pick(transition.holder, track)
        _apply_holder(case, holder_rule, clean)
        if action == Action.ACCEPT and to_status == Status.ON_SITE:
            case.holder_user = None

        step = transition.pick(transition.step, track)
        if action == Action.SUSPEND:
            case.suspended_status = from_status
            remaining = working_minutes_between(now, case.step_deadline) if case.step_deadline else None
            case.suspended_remaining_minutes = int(remaining) if remaining is not None else None
            case.step_deadline = None
        elif step == machine.RESUME_CLOCK:
            minutes = case.suspended_remaining_minutes
            case.suspended_status, case.suspended_remaining_minutes = "", None
            if minutes is not None:
                case.step_started_at, case.step_limit_minutes = now, max(minutes, 1)
                case.step_deadline = add_working_minutes(now, max(minutes, 1))
        elif step == machine.EXTEND_CLOCK:
            base = max(case.step_deadline or now, now)
            case.step_deadline = add_working_minutes(base, clean["minutes"])
            case.step_limit_minutes = (case.step_limit_minutes or 0) + clean["minutes"]
            case.step_started_at = case.step_started_at or now
            if case.deadline is not None:
                case.deadline = add_working_minutes(max(case.deadline, now), clean["minutes"])
            case.overdue = False
            detail.update(amount=clean["amount"], unit=clean["unit"])
        elif step is machine.STOP_CLOCK:
            _stop_clock(case)
        elif step != machine.KEEP_CLOCK:
            _start_step(case, step, now)

        if action == Action.MERGE:
            case.merged_into = clean["into"]
            detail["into"] = clean["into"].pk
        if action in (Action.APPROVE, Action.DENY):
            detail["decision"] = "approved" if action == Action.APPROVE else "denied"
        if action == Action.REOPEN:
            case.closed_at, case.rating, case.rating_comment = None, None, ""
            _set_overall_deadline(case, now)
        if to_status == Status.CLOSED:
            case.closed_at = now
        if holder_rule == machine.UP or action == Action.ESCALATE:
            case.escalation_level += 1

        case.status = to_status
        case.version += 1
        case.save()
        department = (
            clean.get("department", "") if holder_rule in (machine.TO_DEPARTMENT, machine.REWORK) else ""
        )
        if department:
            detail["department"] = department
        event = _write_event(
            case,
            action,
            actor,
            role=role if role != "system" else "",
            at=now,
            lon=lon_f,
            lat=lat_f,
            note=note,
            from_status=from_status,
            to_status=to_status,
            holder_before=holder_before,
            holder_after=case.holder_key,
            department=department,
            detail=detail,
        )
        _with_photos(case, event, checked, actor)
        audit.log(AuditEvent.Action.UPDATE, actor, obj=case, detail={"action": action, "event": event.pk})
        return event

    return _run_with_photo_cleanup(apply)


def rate_case(actor: Any, tracking_code: str, rating: Any, comment: str = "") -> CaseEvent:
    """The resident's 1–5 rating of a closed case, once; the actor may be anonymous."""
    try:
        value = int(rating)
    except (TypeError, ValueError):
        value = 0
    if not 1 <= value <= 5:
        raise ValidationError({"rating": [_("Rate from 1 to 5.")]})
    comment = (comment or "").strip()
    if len(comment) > 500:
        raise ValidationError(
            {
                "comment": [
                    _("Ensure this value has at most %(limit_value)s characters.") % {"limit_value": 500}
                ]
            }
        )
    with transaction.atomic():
        code = (tracking_code or "").strip().upper()
        case = Case.objects.select_for_update().filter(tracking_code=code).first()
        if case is None:
            raise NotFound(Case._meta.verbose_name)
        if case.status != Status.CLOSED:
            raise TransitionNotAllowed(_("Only a closed case can be rated."))
        if case.rating is not None:
            raise TransitionNotAllowed(_("This case has already been rated."))
        case.rating, case.rating_comment = value, comment
        case.version += 1
        case.save(update_fields=["rating", "rating_comment", "version", "updated_at"])
        return _write_event(
            case,
            Action.RATE,
            actor,
            label="" if _user(actor) else "resident",
            at=timezone.now(),
            from_status=case.status,
            to_status=case.status,
            holder_before=case.holder_key,
            holder_after=case.holder_key,
            note=comment,
            detail={"rating": value},
        )


# --- duplicates and deadlines --------------------------------------------------------------------

EARTH_RADIUS_M = 6_371_000


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi, d_lambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def find_possible_duplicates(
    category: Any,
    lon: float,
    lat: float,
    radius_m: float = 200,
    window: dt.timedelta = dt.timedelta(days=3),
    *,
    now: dt.datetime | None = None,
    exclude_id: int | None = None,
) -> list[Case]:
    """Open cases of the same category within radius_m of the point, reported within the window.

    Unscoped: callers filter with visible_to, or show residents only public fields. Nearest first.
    """
    code = category.code if isinstance(category, Category) else str(category)
    now = now or timezone.now()
    # A bounding box in SQL, the exact distance in Python.
    d_lat = radius_m / 111_320
    d_lon = radius_m / (111_320 * max(math.cos(math.radians(lat)), 0.01))
    qs = Case.objects.open().filter(
        category__code=code,
        created_at__gte=now - window,
        lon__gte=lon - d_lon,
        lon__lte=lon + d_lon,
        lat__gte=lat - d_lat,
        lat__lte=lat + d_lat,
    )
    if exclude_id is not None:
        qs = qs.exclude(pk=exclude_id)
    found = [(distance_m(lon, lat, c.lon, c.lat), c) for c in qs]
    return [c for d, c in sorted(found, key=lambda pair: (pair[0], pair[1].pk)) if d <= radius_m]


def flag_overdue(now: dt.datetime | None = None) -> int:
    """Mark cases whose step deadline has passed, escalate each one level, write an "overdue" entry.

    Each case is handled in its own short transaction, so one busy case does not hold up the rest;
    a case already flagged for its current step is left alone. Returns how many were flagged.
    """
    from gridwork.core.system import SYSTEM

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
            _write_event(
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

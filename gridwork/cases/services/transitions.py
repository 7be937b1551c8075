"""The state machine's transitions on a case, and the resident's rating."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridwork.cases import machine, reference
from gridwork.cases.calendar import add_working_minutes, limit_minutes, working_minutes_between
from gridwork.cases.errors import StaleCase, TransitionNotAllowed
from gridwork.cases.models import (
    Action,
    Case,
    CaseEvent,
    Status,
    TimeUnit,
    Track,
)
from gridwork.cases.photos import check_photos
from gridwork.cases.services.lookup import acting_role, get_visible_case
from gridwork.cases.services.timeline import (
    check_point,
    run_with_photo_cleanup,
    set_overall_deadline,
    start_step,
    stop_clock,
    user_or_none,
    with_photos,
    write_event,
)
from gridwork.core import audit
from gridwork.core.errors import NotFound
from gridwork.core.models import AuditEvent
from gridwork.core.validators import control_character_errors

ACTION_PARAMS: dict[str, frozenset[str]] = {
    Action.ACCEPT: frozenset({"track", "category"}),
    Action.DISPATCH: frozenset({"department"}),
    Action.MERGE: frozenset({"into"}),
    Action.EXTEND: frozenset({"amount", "unit"}),
}


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
    lon_f, lat_f = check_point(lon, lat, errors)
    errors.update(control_character_errors({}, {"note": note}))
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
            stop_clock(case)
        elif step != machine.KEEP_CLOCK:
            start_step(case, step, now)

        if action == Action.MERGE:
            case.merged_into = clean["into"]
            detail["into"] = clean["into"].pk
        if action in (Action.APPROVE, Action.DENY):
            detail["decision"] = "approved" if action == Action.APPROVE else "denied"
        if action == Action.REOPEN:
            case.closed_at, case.rating, case.rating_comment = None, None, ""
            set_overall_deadline(case, now)
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
        event = write_event(
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
        with_photos(case, event, checked, actor)
        audit.log(AuditEvent.Action.UPDATE, actor, obj=case, detail={"action": action, "event": event.pk})
        return event

    return run_with_photo_cleanup(apply)


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
        return write_event(
            case,
            Action.RATE,
            actor,
            label="" if user_or_none(actor) else "resident",
            at=timezone.now(),
            from_status=case.status,
            to_status=case.status,
            holder_before=case.holder_key,
            holder_after=case.holder_key,
            note=comment,
            detail={"rating": value},
        )

"""The only code that writes patrols: start, fixes in batches, findings, a finding made a case, end.

Each service checks the actor and the patrol's state, runs in one transaction with the patrol row
locked (so two batches of the same phone never interleave), and writes the audit log. The phone's
own timestamps identify its fixes, so a batch sent again (after a timeout, from the offline queue)
stores each fix once.
"""

from __future__ import annotations

import datetime as dt
import math
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from shapely.geometry.base import BaseGeometry

from gridwork.accounts.access import FIELDWORK_PATROL, scope_codes
from gridwork.areas.geometry import parse_polygon
from gridwork.areas.models import Area, AreaBoundary, Level
from gridwork.cases import services as cases
from gridwork.cases.models import Case, Source
from gridwork.cases.photos import check_photos
from gridwork.cases.services.timeline import check_point
from gridwork.core import audit
from gridwork.core.errors import Conflict, NotFound
from gridwork.core.models import AuditEvent
from gridwork.core.validators import control_character_errors
from gridwork.fieldwork import patrols_metrics as metrics
from gridwork.fieldwork.patrols_models import FixFlag, Patrol, PatrolFinding, PatrolFix, PatrolStatus

# The phone's clock may run a little ahead of the server's; beyond this a time is "in the future".
CLOCK_SKEW = dt.timedelta(minutes=2)
MAX_BATCH = 500
MAX_NOTE = 2000
# "The grid's city": the extent of the boundaries of the grid's district, widened by this much
# (a worker on the district's edge may step over it; a fix in another city is a fault).
CITY_MARGIN_M = 10_000
DEFAULT_FINDING_CATEGORY = "E0101"  # 暴露垃圾: what a walk finds most often, handled on the spot (routine)


@dataclass
class FixBatchResult:
    """What a batch did: stored, already there, refused (index and reason), the patrol's totals."""

    patrol: Patrol
    stored: int = 0
    duplicates: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)


def _patrol_for_update(actor: Any, patrol_id: Any) -> Patrol:
    try:
        patrol = Patrol.objects.visible_to(actor).select_for_update().get(pk=int(patrol_id))
    except (Patrol.DoesNotExist, TypeError, ValueError) as exc:
        raise NotFound(Patrol._meta.verbose_name) from exc
    if patrol.worker_id != actor.pk:
        raise PermissionDenied(_("Only the worker on this patrol may record it."))
    return patrol


def _check_moment(at: Any, now: dt.datetime, field_name: str = "at") -> dt.datetime:
    if at is None:
        return now
    if timezone.is_naive(at):
        raise ValidationError({field_name: [_("The time must carry a time zone.")]})
    if at > now + CLOCK_SKEW:
        raise ValidationError({field_name: [_("The time lies in the future.")]})
    return at


def patrol_grids(actor: Any) -> list[Area]:
    """The grids where the actor may patrol (where they hold a grid role)."""
    codes = scope_codes(actor, FIELDWORK_PATROL)
    if not codes:
        return []
    return list(Area.objects.under_any(codes).filter(level=Level.GRID).order_by("code"))


def start_patrol(actor: Any, *, grid: str | None = None, at: dt.datetime | None = None) -> Patrol:
    """Open a patrol of a grid; a worker has at most one open patrol at a time."""
    now = timezone.now()
    started = _check_moment(at, now, "started_at")
    grids = patrol_grids(actor)
    if not grids:
        raise PermissionDenied(_("Only grid workers and members patrol a grid."))
    if grid is None:
        if len(grids) != 1:
            raise ValidationError({"grid": [_("Choose the grid to patrol.")]})
        chosen = grids[0]
    else:
        chosen = next((g for g in grids if g.code == grid), None)
        if chosen is None:
            raise ValidationError({"grid": [_("You do not patrol this grid.")]})
    with transaction.atomic():
        # Lock the worker's open patrols (if any) so two taps on "start" make one patrol.
        if Patrol.objects.select_for_update().filter(worker_id=actor.pk, status=PatrolStatus.OPEN).exists():
            raise Conflict(_("You already have a patrol under way; end it first."))
        patrol = Patrol.objects.create(worker=actor, grid=chosen, started_at=started)
        audit.log(AuditEvent.Action.CREATE, actor, obj=patrol, detail={"patrol": "start"})
    return patrol


def _city_box(grid_code: str) -> tuple[float, float, float, float] | None:
    """The district's extent around the grid, widened by CITY_MARGIN_M; None if it has no boundaries."""
    box = (
        AreaBoundary.objects.current()
        .filter(area__code__startswith=grid_code[:6])
        .aggregate(a=Min("min_lon"), b=Min("min_lat"), c=Max("max_lon"), d=Max("max_lat"))
    )
    if box["a"] is None:
        return None
    dlat = CITY_MARGIN_M / (math.radians(1) * metrics.EARTH_RADIUS_M)
    dlon = dlat / max(math.cos(math.radians((box["b"] + box["d"]) / 2)), 0.01)
    return box["a"] - dlon, box["b"] - dlat, box["c"] + dlon, box["d"] + dlat


def _parse_fix(raw: Any, now: dt.datetime, start: dt.datetime, box: Any) -> metrics.Fix:
    """One fix from the phone, or ValueError with the reason (shown to the worker)."""
    if not isinstance(raw, dict):
        raise ValueError(_("A fix must be an object with at, lon, lat and accuracy."))
    at = raw.get("at")
    if isinstance(at, str):
        try:
            at = parse_datetime(at[:40])
        except ValueError:  # well formed but impossible, such as a 13th month
            at = None
    if not isinstance(at, dt.datetime) or timezone.is_naive(at):
        raise ValueError(_("The fix's time is missing or has no time zone."))
    if at > now + CLOCK_SKEW:
        raise ValueError(_("The fix's time lies in the future."))
    if at < start:
        raise ValueError(_("The fix is older than the patrol."))
    try:
        lon, lat = float(raw.get("lon")), float(raw.get("lat"))
        accuracy = raw.get("accuracy_m")
        accuracy = None if accuracy is None else float(accuracy)
    except (TypeError, ValueError):
        raise ValueError(_("The fix's position must be numbers.")) from None
    if not all(map(math.isfinite, (lon, lat))) or not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise ValueError(_("The fix is not a valid longitude and latitude."))
    if accuracy is not None and (not math.isfinite(accuracy) or accuracy < 0):
        raise ValueError(_("The fix's accuracy must be a positive number of metres."))
    if box is not None and not (box[0] <= lon <= box[2] and box[1] <= lat <= box[3]):
        raise ValueError(_("The fix lies outside the grid's city."))
    return metrics.Fix(at=at.astimezone(dt.UTC), lon=lon, lat=lat, accuracy_m=accuracy)


def grid_boundary(grid_code: str, day: dt.date) -> BaseGeometry | None:
    """The grid's polygon as it was on the day (boundaries are versioned), or None."""
    geojson = (
        AreaBoundary.objects.valid_on(day)
        .filter(area__code=grid_code)
        .values_list("geojson", flat=True)
        .first()
    )
    return parse_polygon(geojson) if geojson is not None else None


def _stored_fixes(patrol: Patrol) -> list[PatrolFix]:
    return list(
        PatrolFix.objects.filter(patrol=patrol)
        .order_by("at")
        .only("id", "at", "lon", "lat", "accuracy_m", "flag")
    )


def _remeasure(patrol: Patrol, fixes: list[PatrolFix]) -> None:
    """Flag every fix again in time order and set the patrol's metrics; saves changed flags."""
    points = [metrics.Fix(f.at, f.lon, f.lat, f.accuracy_m) for f in fixes]
    flags = metrics.flag_fixes(points)
    changed = []
    for fix, flag in zip(fixes, flags, strict=True):
        if fix.flag != flag:
            fix.flag = flag
            changed.append(fix)
    if changed:
        PatrolFix.objects.bulk_update(changed, ["flag"], batch_size=500)
    day = timezone.localdate(patrol.started_at)
    result = metrics.measure(points, flags, grid_boundary(patrol.grid_id, day))
    patrol.length_m = result.length_m
    patrol.inside_share = result.inside_share
    patrol.fix_count = result.fix_count
    patrol.flagged_count = result.flagged_count


def _store(patrol: Patrol, new: list[metrics.Fix]) -> None:
    """Insert the new fixes with their flags and bring the patrol's running figures up to date.

    Fixes arriving in time order (the page's batches) are flagged against the last kept fix and
    add their length; a fix older than one already stored (a late offline batch) changes what
    came after it, so then the whole track is flagged and measured again. The share inside the
    grid is computed when the patrol ends."""
    last = PatrolFix.objects.filter(patrol=patrol).order_by("-at").values_list("at", flat=True).first()
    if last is not None and new[0].at < last:
        PatrolFix.objects.bulk_create(
            [PatrolFix(patrol=patrol, at=f.at, lon=f.lon, lat=f.lat, accuracy_m=f.accuracy_m) for f in new]
        )
        _remeasure(patrol, _stored_fixes(patrol))
        return
    kept = (
        PatrolFix.objects.filter(patrol=patrol, flag=FixFlag.NONE)
        .order_by("-at")
        .values_list("at", "lon", "lat", "accuracy_m")
        .first()
    )
    previous = metrics.Fix(*kept) if kept else None
    flags = metrics.flag_fixes(new, last_kept=previous)
    PatrolFix.objects.bulk_create(
        [
            PatrolFix(patrol=patrol, at=f.at, lon=f.lon, lat=f.lat, accuracy_m=f.accuracy_m, flag=flag)
            for f, flag in zip(new, flags, strict=True)
        ]
    )
    points = ([(previous.lon, previous.lat)] if previous else []) + [
        (f.lon, f.lat) for f, flag in zip(new, flags, strict=True) if not flag
    ]
    patrol.length_m = round(patrol.length_m + metrics.track_length_m(points), 1)
    patrol.fix_count += len(new)
    patrol.flagged_count += sum(1 for flag in flags if flag)


def add_fixes(actor: Any, patrol_id: Any, raw_fixes: Sequence[Any]) -> FixBatchResult:
    """Store a batch of fixes from the phone: good ones kept, bad ones returned with their reason."""
    if not isinstance(raw_fixes, list | tuple):
        raise ValidationError({"fixes": [_("Send the fixes as a list.")]})
    if len(raw_fixes) > MAX_BATCH:
        raise ValidationError({"fixes": [_("At most %(n)d fixes at a time.") % {"n": MAX_BATCH}]})
    now = timezone.now()
    with transaction.atomic():
        patrol = _patrol_for_update(actor, patrol_id)
        if not patrol.is_open:
            raise Conflict(_("This patrol has ended."))
        result = FixBatchResult(patrol=patrol)
        box = _city_box(patrol.grid_id)
        fresh: dict[dt.datetime, metrics.Fix] = {}
        for index, raw in enumerate(raw_fixes):
            try:
                fix = _parse_fix(raw, now, patrol.started_at, box)
            except ValueError as exc:
                result.rejected.append({"index": index, "reason": str(exc)})
                continue
            fresh.setdefault(fix.at, fix)
        result.duplicates = len(raw_fixes) - len(result.rejected) - len(fresh)
        if fresh:
            known = set(
                PatrolFix.objects.filter(patrol=patrol, at__in=list(fresh)).values_list("at", flat=True)
            )
            new = [fix for at, fix in sorted(fresh.items()) if at not in known]
            result.duplicates += len(fresh) - len(new)
            if new:
                _store(patrol, new)
                result.stored = len(new)
                patrol.save(update_fields=["length_m", "inside_share", "fix_count", "flagged_count"])
                audit.log(
                    AuditEvent.Action.UPDATE,
                    actor,
                    obj=patrol,
                    detail={"patrol": "fixes", "stored": len(new), "rejected": len(result.rejected)},
                )
    return result


def end_patrol(actor: Any, patrol_id: Any, *, at: dt.datetime | None = None) -> Patrol:
    """Close the patrol and compute its metrics from all its fixes."""
    now = timezone.now()
    with transaction.atomic():
        patrol = _patrol_for_update(actor, patrol_id)
        if not patrol.is_open:
            raise Conflict(_("This patrol has ended already."))
        fixes = _stored_fixes(patrol)
        ended = _check_moment(at, now, "ended_at")
        latest = fixes[-1].at if fixes else patrol.started_at
        if ended < latest:
            raise ValidationError({"ended_at": [_("The end must come after the patrol's last fix.")]})
        _remeasure(patrol, fixes)
        patrol.ended_at = ended
        patrol.status = PatrolStatus.ENDED
        patrol.save()
        audit.log(
            AuditEvent.Action.UPDATE,
            actor,
            obj=patrol,
            detail={
                "patrol": "end",
                "length_m": patrol.length_m,
                "inside_share": patrol.inside_share,
                "fixes": patrol.fix_count,
                "flagged": patrol.flagged_count,
            },
        )
    return patrol


def add_finding(
    actor: Any,
    patrol_id: Any,
    *,
    note: str,
    lon: Any = None,
    lat: Any = None,
    photo: Any = None,
    at: dt.datetime | None = None,
) -> PatrolFinding:
    """Note what was seen on the patrol, with an optional photo and place."""
    errors: dict[str, list[str]] = {}
    now = timezone.now()
    note = (note or "").strip()
    if not note:
        errors["note"] = [_("This field is required.")]
    elif len(note) > MAX_NOTE:
        errors["note"] = [
            _("Ensure this value has at most %(limit_value)s characters.") % {"limit_value": MAX_NOTE}
        ]
    for name, messages in control_character_errors({}, {"note": note}).items():
        errors.setdefault(name, []).extend(messages)
    lon_f, lat_f = check_point(lon, lat, errors)
    checked = []
    if photo is not None:
        try:
            checked = check_photos([photo])
        except ValidationError as exc:
            errors.update({"photo": exc.message_dict.get("photos", exc.messages)})
    try:
        when = _check_moment(at, now)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        when = now
    if errors:
        raise ValidationError(errors)
    stored: list[str] = []
    try:
        with transaction.atomic():
            patrol = _patrol_for_update(actor, patrol_id)
            if not patrol.is_open:
                raise Conflict(_("This patrol has ended."))
            if when < patrol.started_at:
                raise ValidationError({"at": [_("The finding is older than the patrol.")]})
            finding = PatrolFinding(patrol=patrol, at=when, note=note, lon=lon_f, lat=lat_f)
            if checked:
                finding.photo.save(
                    f"{secrets.token_hex(16)}.{checked[0].extension}",
                    ContentFile(checked[0].content),
                    save=False,
                )
                stored.append(finding.photo.name)
                finding.photo_type = checked[0].content_type
            finding.save()
            audit.log(AuditEvent.Action.CREATE, actor, obj=finding, area_code=patrol.grid_id)
    except BaseException:
        for name in stored:  # the file was written before the transaction failed
            finding.photo.storage.delete(name)
        raise
    return finding


def _finding_place(finding: PatrolFinding) -> tuple[float | None, float | None]:
    """The finding's own place, else the last kept fix of its patrol before it."""
    if finding.lon is not None:
        return finding.lon, finding.lat
    fix = (
        PatrolFix.objects.filter(patrol_id=finding.patrol_id, at__lte=finding.at, flag=FixFlag.NONE)
        .order_by("-at")
        .values_list("lon", "lat")
        .first()
    )
    return fix if fix else (None, None)


def finding_to_case(
    actor: Any, finding_id: Any, *, category: str | None = None, title: str | None = None
) -> Case:
    """One tap: a case from the finding, with its place, grid, text and photo, via report_case."""
    with transaction.atomic():
        try:
            finding = (
                PatrolFinding.objects.visible_to(actor)
                .select_for_update(of=("self",))
                .select_related("patrol")
                .get(pk=int(finding_id))
            )
        except (PatrolFinding.DoesNotExist, TypeError, ValueError) as exc:
            raise NotFound(PatrolFinding._meta.verbose_name) from exc
        if finding.case_id is not None:
            raise Conflict(_("This finding is a case already."))
        lon, lat = _finding_place(finding)
        if lon is None:
            raise ValidationError({"location": [_("The finding has no place: no position was recorded.")]})
        photos = []
        if finding.photo:
            with finding.photo.open("rb") as handle:
                photos.append(handle.read())
        first_line = finding.note.splitlines()[0].strip() if finding.note.strip() else ""
        case = cases.report_case(
            actor,
            category=category or DEFAULT_FINDING_CATEGORY,
            title=(title or first_line)[:200],
            description=finding.note,
            source=Source.PATROL,
            lon=lon,
            lat=lat,
            photos=photos,
            at=finding.at,
        )
        finding.case = case
        finding.save(update_fields=["case"])
        audit.log(
            AuditEvent.Action.UPDATE,
            actor,
            obj=finding,
            area_code=finding.patrol.grid_id,
            detail={"finding": "case", "case": case.pk},
        )
    return case

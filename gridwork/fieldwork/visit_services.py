"""Writing visits and memos, and turning a memo into a case, a visit or a register update.

Each function checks the actor's capability at the record's grid, runs in one transaction, locks
what it reads to decide (the person, the memo), writes the audit log, and announces the record
after commit (`visit_recorded`, `memo_written`). Refused input raises ValidationError by field and
writes nothing; a change made meanwhile on the server (the person moved to another grid, the case
was closed) raises `VisitConflict`, which the offline sync shows the worker to settle.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import django.dispatch
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridwork.accounts.access import FIELDWORK_VISITS_RECORD, can
from gridwork.accounts.permissions import require
from gridwork.cases import services as cases
from gridwork.cases.models import Case, Source
from gridwork.cases.photos import check_photos
from gridwork.core import audit
from gridwork.core.errors import Conflict, NotFound, not_in_area
from gridwork.core.models import AuditEvent
from gridwork.fieldwork.visit_models import Memo, MemoSubject, Visit, VisitKind
from gridwork.fieldwork.visit_places import check_point, raise_if
from gridwork.registry.models import Building, Household, Person

# A phone's clock may run a little ahead of the server's.
CLOCK_SKEW = dt.timedelta(minutes=5)
TEXT_LIMIT = 4000

visit_recorded = django.dispatch.Signal()  # sender=Visit, visit=Visit
memo_written = django.dispatch.Signal()  # sender=Memo, memo=Memo


class VisitConflict(Conflict):
    """What the entry was about changed on the server meanwhile; `code` says how."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class Subject:
    grid: str
    person: Person | None = None
    household: Household | None = None
    building: Building | None = None


def when_made(at: Any, errors: dict[str, list[str]], field: str) -> dt.datetime:
    if at is None or at == "":
        return timezone.now()
    if isinstance(at, str):
        try:
            at = dt.datetime.fromisoformat(at)
        except ValueError:
            errors.setdefault(field, []).append(_("Give the time as an ISO 8601 date and time."))
            return timezone.now()
    if not isinstance(at, dt.datetime) or timezone.is_naive(at):
        errors.setdefault(field, []).append(_("The time must carry a time zone."))
        return timezone.now()
    if at > timezone.now() + CLOCK_SKEW:
        errors.setdefault(field, []).append(_("A visit or a note cannot be dated in the future."))
    return at


def _text(value: Any, field: str, errors: dict[str, list[str]], *, required: bool = False) -> str:
    text = str(value or "").strip()
    if required and not text:
        errors.setdefault(field, []).append(_("This field is required."))
    if len(text) > TEXT_LIMIT:
        errors.setdefault(field, []).append(_("At most %(n)d characters.") % {"n": TEXT_LIMIT})
    return text


def _locked(
    model: type, actor: Any, pk: Any, field: str, errors: dict[str, list[str]], grid: str | None
) -> Any:
    """The record by id, locked, if it is in the actor's reach; else an error under `field`.

    Out of reach, but the phone said it was in a grid where the actor records: it was moved away
    since the phone read it, a conflict. Without that, it answers as a record that does not exist."""
    if pk in (None, ""):
        return None
    try:
        key = int(pk)
    except (TypeError, ValueError):
        errors.setdefault(field, []).append(not_in_area())
        return None
    preloaded = _LOCKED.get()
    if preloaded is not None and (model, key) in preloaded:
        found = preloaded[(model, key)]
    else:
        found = model.objects.visible_to(actor).select_for_update().filter(pk=key).first()
    if found is None:
        if grid and can(actor, FIELDWORK_VISITS_RECORD, grid) and model.objects.filter(pk=key).exists():
            raise VisitConflict("moved", _("This record is no longer in your grid."))
        errors.setdefault(field, []).append(not_in_area())
    return found


# A batch from the phone names its people, households and buildings up front: they are scoped and
# locked in one query per kind for the whole batch (`subjects_locked`), and each entry's lookup is
# answered from that; one not found there is looked up on its own, as without a batch (a conflict
# or a refusal). One query instead of one per entry: the lookups were half of a replay's time.
_LOCKED: ContextVar[dict[tuple[type, int], Any] | None] = ContextVar("fieldwork_locked", default=None)
SUBJECT_MODELS = {"person_id": Person, "household_id": Household, "building_id": Building}


@contextmanager
def subjects_locked(actor: Any, datas: list[Any]) -> Iterator[None]:
    """Within a transaction: the subjects named by these entries' data, locked for its length."""
    keys: dict[type, set[int]] = {model: set() for model in SUBJECT_MODELS.values()}
    for data in datas:
        if not isinstance(data, dict):
            continue
        for name, model in SUBJECT_MODELS.items():
            value = data.get(name)
            if isinstance(value, int) or (isinstance(value, str) and value.isdigit() and len(value) < 19):
                keys[model].add(int(value))
    found: dict[tuple[type, int], Any] = {}
    for model, pks in keys.items():
        if pks:
            # In key order, so that two batches lock what they share in the same order.
            query = model.objects.visible_to(actor).select_for_update().filter(pk__in=pks).order_by("pk")
            found.update(((model, record.pk), record) for record in query)
    token = _LOCKED.set(found)
    try:
        yield
    finally:
        _LOCKED.reset(token)


def resolve_subject(
    actor: Any,
    *,
    person_id: Any = None,
    household_id: Any = None,
    building_id: Any = None,
    grid: str | None = None,
    errors: dict[str, list[str]],
) -> Subject:
    """Whom or what the entry is about, locked, and its grid. `grid`: the grid the phone believed
    the subject in; a subject now in another grid is a conflict, not a silent move."""
    person = _locked(Person, actor, person_id, "person", errors, grid)
    household = _locked(Household, actor, household_id, "household", errors, grid)
    building = _locked(Building, actor, building_id, "building", errors, grid)
    first = person or household or building
    code = first.grid_id if first is not None else (grid or "")
    if grid and first is not None and first.grid_id != grid:
        raise VisitConflict("moved", _("This person or household was moved to another grid meanwhile."))
    if not code:
        errors.setdefault("grid", []).append(_("Say which grid, or whom the entry is about."))
    return Subject(code, person, household, building)


def _open_case(actor: Any, case_id: Any, errors: dict[str, list[str]]) -> Case | None:
    if case_id in (None, ""):
        return None
    try:
        case = cases.get_visible_case(actor, int(case_id), lock=True)
    except (NotFound, TypeError, ValueError):
        errors.setdefault("about_case", []).append(_("No such case in your area."))
        return None
    if not case.is_open:
        raise VisitConflict("case_closed", _("The case was closed meanwhile."))
    return case


def _announce(signal: django.dispatch.Signal, sender: type, **kwargs: Any) -> None:
    transaction.on_commit(lambda: signal.send(sender=sender, **kwargs))


def record_visit(
    actor: Any,
    *,
    person_id: Any = None,
    household_id: Any = None,
    grid: str | None = None,
    visited_at: Any = None,
    lon: Any = None,
    lat: Any = None,
    kind: str = VisitKind.HOME,
    findings: str = "",
    needs: str = "",
    register_note: str = "",
    next_visit_on: Any = None,
    about_case_id: Any = None,
    follow_up_case: dict[str, Any] | None = None,
    allow_moved: bool = False,
) -> Visit:
    """Record a visit to a person and/or household. `follow_up_case`: report a case from it
    ({"category", "title", "description"}). `allow_moved`: the worker settled a conflict and keeps
    the visit in the grid where it was made."""
    with transaction.atomic():
        errors: dict[str, list[str]] = {}
        if person_id in (None, "") and household_id in (None, ""):
            errors["person"] = [_("Say whom you visited: a person or a household.")]
        try:
            subject = resolve_subject(
                actor, person_id=person_id, household_id=household_id, grid=grid, errors=errors
            )
        except VisitConflict:
            if not allow_moved or not grid:
                raise
            subject = _settled_subject(person_id, household_id, grid)
        at = when_made(visited_at, errors, "visited_at")
        if kind not in VisitKind.values:
            errors["kind"] = [_("Unknown kind of visit.")]
        lon_f, lat_f = check_point(subject.grid, lon, lat, errors) if subject.grid else (None, None)
        next_on = _next_date(next_visit_on, at, errors)
        texts = {
            name: _text(value, name, errors)
            for name, value in (("findings", findings), ("needs", needs), ("register_note", register_note))
        }
        about = _open_case(actor, about_case_id, errors) if not allow_moved else None
        raise_if(errors)
        require(actor, FIELDWORK_VISITS_RECORD, subject.grid)
        visit = Visit.objects.create(
            grid_id=subject.grid,
            person=subject.person,
            household_id=subject.household.pk
            if subject.household
            else (subject.person.household_id if subject.person else None),
            worker=actor,
            visited_at=at,
            lon=lon_f,
            lat=lat_f,
            kind=kind,
            next_visit_on=next_on,
            about_case=about,
            **texts,
        )
        if follow_up_case:
            visit.case = _report_from(actor, follow_up_case, Source.VISIT, visit.person_id, lon_f, lat_f, at)
            visit.save(update_fields=["case"])
        audit.log(AuditEvent.Action.CREATE, actor, obj=visit, detail={"kind": kind, "case": visit.case_id})
        _announce(visit_recorded, Visit, visit=visit)
    return visit


def _settled_subject(person_id: Any, household_id: Any, grid: str) -> Subject:
    """After a move, the subject as the worker met it: the records (unscoped, by id) in the grid
    where the visit was made, which the actor must still hold."""
    person = Person.objects.filter(pk=person_id).first() if person_id else None
    household = Household.objects.filter(pk=household_id).first() if household_id else None
    return Subject(grid, person, household)


def _next_date(value: Any, at: dt.datetime, errors: dict[str, list[str]]) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            errors["next_visit_on"] = [_("Give the date as YYYY-MM-DD.")]
            return None
    if not isinstance(value, dt.date) or value < timezone.localtime(at).date():
        errors["next_visit_on"] = [_("The next visit cannot be before this one.")]
        return None
    return value


def _report_from(
    actor: Any, data: dict[str, Any], source: str, person_id: Any, lon: Any, lat: Any, at: dt.datetime
) -> Case:
    """A case through the case service; its refusals come back under the field `case`."""
    try:
        return cases.report_case(
            actor,
            category=str(data.get("category") or ""),
            title=str(data.get("title") or ""),
            description=str(data.get("description") or ""),
            source=source,
            person_id=person_id,
            lon=lon if person_id is None else None,
            lat=lat if person_id is None else None,
            at=at,
        )
    except ValidationError as exc:
        raise ValidationError({"case": exc.messages}) from exc


def write_memo(
    actor: Any,
    *,
    text: str,
    subject: str = MemoSubject.RESIDENT,
    person_id: Any = None,
    household_id: Any = None,
    building_id: Any = None,
    grid: str | None = None,
    place: str = "",
    written_at: Any = None,
    lon: Any = None,
    lat: Any = None,
    photo: Any = None,
) -> Memo:
    """A memo about a resident, household, building or place (a place needs the grid)."""
    with transaction.atomic():
        errors: dict[str, list[str]] = {}
        if subject not in MemoSubject.values:
            errors["subject"] = [_("Unknown subject.")]
        found = resolve_subject(
            actor,
            person_id=person_id,
            household_id=household_id,
            building_id=building_id,
            grid=grid,
            errors=errors,
        )
        body = _text(text, "text", errors, required=True)
        at = when_made(written_at, errors, "written_at")
        lon_f, lat_f = check_point(found.grid, lon, lat, errors) if found.grid else (None, None)
        checked = []
        if photo:
            try:
                checked = check_photos([photo])
            except ValidationError as exc:
                errors["photo"] = exc.messages
        raise_if(errors)
        require(actor, FIELDWORK_VISITS_RECORD, found.grid)
        memo = Memo(
            grid_id=found.grid,
            author=actor,
            written_at=at,
            subject=subject,
            person=found.person,
            household=found.household,
            building=found.building,
            place=_text(place, "place", errors)[:200],
            lon=lon_f,
            lat=lat_f,
            text=body,
        )
        if checked:
            memo.photo.save(f"memo.{checked[0].extension}", ContentFile(checked[0].content), save=False)
        memo.save()
        audit.log(AuditEvent.Action.CREATE, actor, obj=memo, detail={"subject": subject})
        _announce(memo_written, Memo, memo=memo)
    return memo


def _memo_to_change(actor: Any, memo_id: Any) -> Memo:
    memo = Memo.objects.visible_to(actor).select_for_update().filter(pk=memo_id).first()
    if memo is None:
        raise NotFound
    require(actor, FIELDWORK_VISITS_RECORD, memo.grid_id)
    if memo.became:
        raise ValidationError({"memo": [_("This memo has already been acted on.")]})
    return memo


def memo_to_case(actor: Any, memo_id: Any, *, category: str, title: str = "") -> Memo:
    """One tap: a case from the memo, its text as the description, its place and person."""
    with transaction.atomic():
        memo = _memo_to_change(actor, memo_id)
        data = {"category": category, "title": title or memo.text[:60], "description": memo.text}
        memo.became_case = _report_from(
            actor, data, Source.MEMO, memo.person_id, memo.lon, memo.lat, timezone.now()
        )
        memo.save(update_fields=["became_case"])
        audit.log(AuditEvent.Action.UPDATE, actor, obj=memo, detail={"case": memo.became_case_id})
    return memo


def memo_to_visit(actor: Any, memo_id: Any, *, kind: str = VisitKind.HOME) -> Memo:
    """One tap: the memo recorded as a visit to its person or household, at the memo's time."""
    with transaction.atomic():
        memo = _memo_to_change(actor, memo_id)
        if memo.person_id is None and memo.household_id is None:
            raise ValidationError({"memo": [_("Only a memo about a resident or household becomes a visit.")]})
        memo.became_visit = record_visit(
            actor,
            person_id=memo.person_id,
            household_id=memo.household_id,
            visited_at=memo.written_at,
            lon=memo.lon,
            lat=memo.lat,
            kind=kind,
            findings=memo.text,
        )
        memo.save(update_fields=["became_visit"])
        audit.log(AuditEvent.Action.UPDATE, actor, obj=memo, detail={"visit": memo.became_visit_id})
    return memo


def memo_to_register_note(actor: Any, memo_id: Any, *, note: str) -> Memo:
    """One tap: a register update asked for from the memo, kept on the memo and in the record's
    history (the register's own change is made on its page, through the register service)."""
    with transaction.atomic():
        memo = _memo_to_change(actor, memo_id)
        errors: dict[str, list[str]] = {}
        text = _text(note or memo.text, "note", errors, required=True)
        raise_if(errors)
        memo.became_register_note = text
        memo.save(update_fields=["became_register_note"])
        target = memo.person or memo.household or memo.building
        audit.log(
            AuditEvent.Action.UPDATE,
            actor,
            obj=target or memo,
            detail={"memo": memo.pk, "register_update_asked": text[:200]},
        )
    return memo

"""The offline queue's one way in: a batch of entries made on a phone, each stored exactly once.

An entry: {"id": UUID made on the phone, "kind": a registered kind, "at": when it was made (ISO
8601 with zone), "lon"/"lat": its GPS fix, "data": the kind's fields}. Each entry is handled in
its own savepoint, so a bad one never takes the good ones with it. The answer, per entry:
- "stored": written now (object type and id);
- "already": an entry with this id from this user was handled before: nothing written again;
- "refused": malformed or not allowed, with its reason; nothing kept (the phone keeps it);
- "conflict": what it was about changed meanwhile on the server; kept, with its payload, until
  the worker settles it (`settle`): stored anyway, or discarded. Never dropped.

Exactly once: the SyncEntry row is unique by (user, client id) and written in the same savepoint
as the record. Two batches carrying the same entry at once both try; the second one's insert
fails on the constraint, its savepoint (record included) rolls back, and it answers "already".

The kinds are open: `register_kind("finding", handler)` from another part of field work. A handler
takes (actor, data, at, lon, lat, settled) and returns the record it wrote; it raises
ValidationError (refused), PermissionDenied / NotFound (refused) or VisitConflict (conflict).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridwork.accounts.access import FIELDWORK_VISITS_RECORD, has_capability
from gridwork.cases import services as cases
from gridwork.cases.models import Source
from gridwork.core import audit
from gridwork.core.errors import NotFound, not_in_area
from gridwork.core.models import AuditEvent
from gridwork.fieldwork import visit_services as services
from gridwork.fieldwork.visit_models import SyncEntry, SyncResult
from gridwork.fieldwork.visit_services import VisitConflict

MAX_BATCH = 500
Handler = Callable[[Any, dict[str, Any], Any, Any, Any, bool], models.Model]
KINDS: dict[str, Handler] = {}


def register_kind(name: str, handler: Handler) -> None:
    KINDS[name] = handler


def _visit(actor: Any, data: dict[str, Any], at: Any, lon: Any, lat: Any, settled: bool) -> models.Model:
    return services.record_visit(
        actor,
        person_id=data.get("person_id"),
        household_id=data.get("household_id"),
        grid=data.get("grid"),
        visited_at=at,
        lon=lon,
        lat=lat,
        kind=data.get("kind") or "home",
        findings=data.get("findings") or "",
        needs=data.get("needs") or "",
        register_note=data.get("register_note") or "",
        next_visit_on=data.get("next_visit_on"),
        about_case_id=data.get("about_case_id"),
        follow_up_case=data.get("case") or None,
        allow_moved=settled,
    )


def _memo(actor: Any, data: dict[str, Any], at: Any, lon: Any, lat: Any, settled: bool) -> models.Model:
    fields = {
        "text": data.get("text") or "",
        "subject": data.get("subject") or "resident",
        "person_id": data.get("person_id"),
        "household_id": data.get("household_id"),
        "building_id": data.get("building_id"),
        "grid": data.get("grid"),
        "place": data.get("place") or "",
        "written_at": at,
        "lon": lon,
        "lat": lat,
    }
    if settled:
        # Kept after a move: the note stays in the grid where it was written, about the place,
        # since the person's record now belongs to another grid's worker.
        fields.update(person_id=None, household_id=None, building_id=None, subject="place")
    return services.write_memo(actor, **fields)


def _case_report(
    actor: Any, data: dict[str, Any], at: Any, lon: Any, lat: Any, settled: bool
) -> models.Model:
    errors: dict[str, list[str]] = {}
    when = services.when_made(at, errors, "at")
    if errors:
        raise ValidationError(errors)
    person_id = data.get("person_id")
    if person_id and data.get("grid") and not settled:
        with transaction.atomic():
            services.resolve_subject(actor, person_id=person_id, grid=data["grid"], errors=errors)
    return cases.report_case(
        actor,
        category=str(data.get("category") or ""),
        title=str(data.get("title") or ""),
        description=str(data.get("description") or ""),
        source=Source.PATROL if data.get("source") == "patrol" else Source.VISIT,
        person_id=None if settled else person_id,
        building_id=data.get("building_id"),
        address=str(data.get("address") or ""),
        lon=lon,
        lat=lat,
        at=when,
    )


register_kind("visit", _visit)
register_kind("memo", _memo)
register_kind("case_report", _case_report)


def _reason(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            return "; ".join(f"{name}: {' '.join(msgs)}" for name, msgs in exc.message_dict.items())[:300]
        return " ".join(exc.messages)[:300]
    if isinstance(exc, PermissionDenied):
        return _("You may not record this in this area.")
    return not_in_area()


def _answer(client_id: Any, status: str, **more: Any) -> dict[str, Any]:
    return {"id": str(client_id) if client_id is not None else None, "status": status, **more}


def _parse(entry: Any) -> tuple[uuid.UUID, str, dict[str, Any]]:
    if not isinstance(entry, dict):
        raise ValidationError(_("An entry must be a JSON object."))
    try:
        client_id = uuid.UUID(str(entry.get("id")))
    except ValueError as exc:
        raise ValidationError(_("An entry needs an id made on the phone (a UUID).")) from exc
    kind = entry.get("kind")
    if kind not in KINDS:
        raise ValidationError(_("Unknown kind of entry."))
    data = entry.get("data", {})
    if not isinstance(data, dict):
        raise ValidationError(_("An entry's data must be a JSON object."))
    return client_id, kind, data


def _earlier(actor: Any, client_id: uuid.UUID, known: dict | None = None) -> dict[str, Any] | None:
    """The answer given before to this entry, if any (`known`: the batch's earlier entries, read
    at once; without it, one query)."""
    if known is not None:
        done = known.get(client_id)
    else:
        done = SyncEntry.objects.filter(user_id=actor.pk, client_id=client_id).first()
    if done is None:
        return None
    status = "conflict" if done.result == SyncResult.CONFLICT else "already"
    return _answer(
        client_id, status, reason=done.reason, object_type=done.object_type, object_id=done.object_id
    )


def sync_one(actor: Any, entry: Any, known: dict | None = None) -> dict[str, Any]:
    raw_id = entry.get("id") if isinstance(entry, dict) else None
    try:
        client_id, kind, data = _parse(entry)
    except ValidationError as exc:
        return _answer(raw_id, "refused", reason=_reason(exc))
    earlier = _earlier(actor, client_id, known)
    if earlier is not None:
        return earlier
    handler = KINDS[kind]
    try:
        with transaction.atomic():
            try:
                record = handler(actor, data, entry.get("at"), entry.get("lon"), entry.get("lat"), False)
            except VisitConflict as conflict:
                return _keep_conflict(actor, client_id, kind, entry, conflict)
            SyncEntry.objects.create(
                user=actor,
                client_id=client_id,
                kind=kind,
                grid_id=getattr(record, "grid_id", None),
                result=SyncResult.STORED,
                object_type=record._meta.label_lower,
                object_id=str(record.pk),
            )
    except IntegrityError:
        # Another batch stored this entry between our look and our insert: ours rolled back.
        return _earlier(actor, client_id) or _answer(client_id, "already")
    except (ValidationError, PermissionDenied, NotFound) as exc:
        return _answer(client_id, "refused", reason=_reason(exc))
    return _answer(client_id, "stored", object_type=record._meta.label_lower, object_id=str(record.pk))


def _keep_conflict(
    actor: Any, client_id: uuid.UUID, kind: str, entry: dict[str, Any], conflict: VisitConflict
) -> dict[str, Any]:
    grid = entry.get("data", {}).get("grid")
    SyncEntry.objects.create(
        user=actor,
        client_id=client_id,
        kind=kind,
        grid_id=grid if isinstance(grid, str) and len(grid) == 15 and grid.isdigit() else None,
        result=SyncResult.CONFLICT,
        reason=conflict.message[:300],
        payload=SyncEntry.keep_payload(entry),
    )
    audit.log(AuditEvent.Action.CREATE, actor, object_type="fieldwork.syncentry", object_id=str(client_id))
    return _answer(client_id, "conflict", reason=conflict.message, code=conflict.code)


def sync_batch(actor: Any, entries: list[Any]) -> list[dict[str, Any]]:
    if len(entries) > MAX_BATCH:
        raise ValidationError({"entries": [_("At most %(n)d entries at a time.") % {"n": MAX_BATCH}]})
    ids = []
    for entry in entries:
        try:
            ids.append(uuid.UUID(str(entry.get("id"))))
        except (AttributeError, ValueError):
            continue
    # What was sent before, in one query rather than one per entry.
    known = {e.client_id: e for e in SyncEntry.objects.filter(user_id=actor.pk, client_id__in=ids)}
    # One transaction for the batch (each entry still in its own savepoint): one commit, and the
    # subjects it names scoped and locked together.
    with transaction.atomic():
        datas = [entry.get("data") for entry in entries if isinstance(entry, dict)]
        with services.subjects_locked(actor, datas):
            return [sync_one(actor, entry, known) for entry in entries]


def open_conflicts(actor: Any) -> models.QuerySet[SyncEntry]:
    """The actor's own entries waiting to be settled: no one else's (they hold their own phone's)."""
    return SyncEntry.objects.filter(user_id=actor.pk, result=SyncResult.CONFLICT).order_by("received_at")


def settle(actor: Any, client_id: Any, *, keep: bool) -> SyncEntry:
    """Settle one conflict: store the entry as the worker made it (`keep`) or discard it. Only
    those who may send the queue settle it: a worker whose role ended leaves theirs to the audit."""
    if not has_capability(actor, FIELDWORK_VISITS_RECORD):
        raise PermissionDenied
    with transaction.atomic():
        try:
            key = uuid.UUID(str(client_id))
        except ValueError as exc:
            raise NotFound from exc
        entry = open_conflicts(actor).select_for_update().filter(client_id=key).first()
        if entry is None:
            raise NotFound
        if keep:
            payload = entry.opened_payload()
            data, at = payload.get("data", {}), payload.get("at")
            record = KINDS[entry.kind](actor, data, at, payload.get("lon"), payload.get("lat"), True)
            entry.result, entry.object_type, entry.object_id = (
                SyncResult.SETTLED,
                record._meta.label_lower,
                str(record.pk),
            )
        else:
            entry.result = SyncResult.DISCARDED
        entry.settled_at = timezone.now()
        entry.save(update_fields=["result", "object_type", "object_id", "settled_at"])
        audit.log(
            AuditEvent.Action.UPDATE,
            actor,
            object_type="fieldwork.syncentry",
            object_id=str(key),
            detail={"keep": keep},
        )
    return entry

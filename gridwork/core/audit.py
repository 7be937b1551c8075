"""Writing the audit log and record history. Services call these inside their transaction."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models

from gridwork.core.encrypted_fields import EncryptedCharField, HashField, column_label
from gridwork.core.field_crypto import PREFIX, keyring
from gridwork.core.models import AuditEvent, RecordHistory
from gridwork.core.request_context import current_ip
from gridwork.core.sealed_text import unseal


def _label(actor: Any) -> str:
    if getattr(actor, "is_system", False):
        return "system"
    if actor is None or not getattr(actor, "is_authenticated", False):
        return ""
    return actor.get_username()


def _actor(actor: Any) -> Any:
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def log(
    action: str,
    actor: Any = None,
    *,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    area_code: str = "",
    reason: str = "",
    detail: dict | None = None,
    actor_label: str = "",
) -> AuditEvent:
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        area_code = area_code or record_area_code(obj)
    event = AuditEvent(
        actor=_actor(actor),
        actor_label=actor_label or _label(actor),
        action=action,
        object_type=object_type,
        object_id=object_id,
        area_code=area_code,
        ip=current_ip.get(),
        reason=reason,
        detail=detail or {},
    )
    event.save()
    return event


def record_area_code(obj: models.Model) -> str:
    for attr in ("grid_id", "code", "area_id"):
        value = getattr(obj, attr, None)
        if isinstance(value, str):
            return value
    return ""


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    return value


def snapshot(instance: models.Model) -> dict[str, Any]:
    """The concrete field values of a record, JSON-ready (foreign keys by id)."""
    data: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if getattr(field, "auto_now", False):
            # A save stamps it anew; the history entry has its own time, and a save that changed
            # nothing else must not count as a change.
            continue
        data[field.attname] = _plain(getattr(instance, field.attname))
    return data


def diff(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    changed = sorted(key for key in set(before) | set(after) if before.get(key) != after.get(key))
    # A created record has no "before" and a deleted one no "after": keep those empty, not full of None.
    return ({k: before[k] for k in changed if k in before}, {k: after[k] for k in changed if k in after})


def sealed(model: type[models.Model], data: dict[str, Any]) -> dict[str, Any]:
    """History values as stored: encrypted fields as ciphertext (a history row must not hold the
    ID number or phone that its record keeps encrypted), their hashes left out, numbers typed into
    free text sealed as in the record."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        field = _field(model, key)
        if isinstance(field, HashField):
            continue
        if isinstance(field, EncryptedCharField) and isinstance(value, str):
            value = field.seal(value)
        elif getattr(field, "seals_text", False):
            value = field.seal_text(value)
        out[key] = value
    return out


def opened(model: type[models.Model], data: dict[str, Any]) -> dict[str, Any]:
    """History values as `snapshot` gave them: the encrypted fields decrypted."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        field = _field(model, key)
        if isinstance(field, EncryptedCharField) and isinstance(value, str) and value.startswith(PREFIX):
            value = keyring().decrypt(value, column_label(field))
        elif getattr(field, "seals_text", False) and isinstance(value, str):
            value = unseal(value, column_label(field))
        out[key] = value
    return out


def history_values(entry: RecordHistory) -> tuple[dict[str, Any], dict[str, Any]]:
    """A history entry's before and after, the encrypted fields decrypted (for its readers)."""
    try:
        model = apps.get_model(entry.object_type)
    except (LookupError, ValueError):
        return entry.before, entry.after
    return opened(model, entry.before), opened(model, entry.after)


def _field(model: type[models.Model], attname: str) -> Any:
    try:
        return model._meta.get_field(attname)
    except FieldDoesNotExist:  # a key that is no field (a summary's "rows") stays as it is
        return None


def write_history(
    actor: Any, instance: models.Model, action: str, before: dict[str, Any], after: dict[str, Any]
) -> RecordHistory | None:
    """History plus the matching audit entry; nothing is written when nothing changed."""
    old, new = diff(before, after)
    if action == "update" and not old and not new:
        return None
    entry = RecordHistory.objects.create(
        actor=_actor(actor),
        actor_label=_label(actor),
        object_type=instance._meta.label_lower,
        object_id=str(instance.pk),
        area_code=record_area_code(instance),
        action=action,
        before=sealed(type(instance), old),
        after=sealed(type(instance), new),
    )
    fields = {k for k in set(old) | set(new) if not isinstance(_field(type(instance), k), HashField)}
    log(action, actor, obj=instance, detail={"fields": sorted(fields)})
    return entry

"""Bringing the stored encrypted columns to the current keys, a batch at a time.

One routine serves the migrations that first encrypt existing rows and `gridwork rotate_keys`:
each row's stored value is read as the database holds it (plain text before the first
migration, or ciphertext under any listed key), and written again only if it is not already
ciphertext under the first FIELD_KEYS key with its hash under the first FIELD_HMAC_KEYS key. So a
run can be stopped and started again: rows done are skipped, and a second run changes nothing.

It works on the raw columns (plain SQL, primary key order, one transaction per batch) because
the model's field would refuse to read a plain value, and because a migration's historical model
has no managers or services to go through. The values are never logged.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps as global_apps
from django.db import connections, models, transaction

from gridwork.core.encrypted_fields import HashField, column_label, encrypted_fields
from gridwork.core.field_crypto import PREFIX, Keyring, keyring

BATCH_ROWS = 1000


@dataclass
class Rewritten:
    label: str
    rows: int = 0
    changed: int = 0


def _group_update(ring: Keyring, label: str, hashes: list[HashField], stored: list, decrypt: bool) -> list:
    """One encrypted column and its hash columns as they should be stored."""
    value = stored[0]
    if value is None or value == "":
        return [value, *("" for _h in hashes)]
    plain = ring.decrypt(value, label) if value.startswith(PREFIX) else value
    if decrypt:
        return [plain, *("" for _h in hashes)]
    return [
        value if ring.is_current(value) else ring.encrypt(plain, label),
        *(h.hash_of(plain) for h in hashes),
    ]


def rewrite_model(
    model: type[models.Model],
    *,
    decrypt: bool = False,
    batch_rows: int = BATCH_ROWS,
    using: str = "default",
    progress: Callable[[Rewritten], None] | None = None,
) -> Rewritten:
    """Encrypt (or, with decrypt, take back to plain text) every encrypted column of the model."""
    done = Rewritten(model._meta.label_lower)
    # Each encrypted column with its hash columns (the exact one, and a normalised one if any).
    groups = [
        (f, [h for h in model._meta.concrete_fields if isinstance(h, HashField) and h.source == f.name])
        for f in encrypted_fields(model)
    ]
    if not groups:
        return done
    ring = keyring()
    connection = connections[using]
    quote = connection.ops.quote_name
    columns = [c for f, hashes in groups for c in (f.column, *(h.column for h in hashes))]
    table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
    # Names come from the model's meta, quoted; values are parameters.
    listed = ", ".join(quote(c) for c in columns)
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    select = f"SELECT {pk}, {listed} FROM {table} WHERE {pk} > %s ORDER BY {pk} LIMIT %s{lock}"  # noqa: S608
    update = f"UPDATE {table} SET {', '.join(f'{quote(c)} = %s' for c in columns)} WHERE {pk} = %s"  # noqa: S608
    last = -1
    while True:
        with transaction.atomic(using=using), connection.cursor() as cursor:
            cursor.execute(select, [last, batch_rows])
            rows = cursor.fetchall()
            if not rows:
                break
            params = []
            for row in rows:
                stored, new, at = list(row[1:]), [], 0
                for field, hashes in groups:
                    width = 1 + len(hashes)
                    new += _group_update(ring, column_label(field), hashes, stored[at : at + width], decrypt)
                    at += width
                if new != stored:
                    params.append([*new, row[0]])
            if params:
                cursor.executemany(update, params)
        last = rows[-1][0]
        done.rows += len(rows)
        done.changed += len(params)
        if progress is not None:
            progress(done)
    return done


def encrypted_models(apps_registry: object = None) -> list[type[models.Model]]:
    """Every installed model with an encrypted column (of a migration's state, if given)."""
    from_registry = apps_registry if apps_registry is not None else global_apps
    return [m for m in from_registry.get_models() if encrypted_fields(m)]  # type: ignore[attr-defined]


def migration_step(app_label: str, model_names: list[str]) -> tuple[Callable, Callable]:
    """RunPython's forward (encrypt) and backward (decrypt) for these models of one app."""

    def forward(apps: object, schema_editor: object) -> None:
        for name in model_names:
            rewrite_model(apps.get_model(app_label, name), using=schema_editor.connection.alias)  # type: ignore[attr-defined]

    def backward(apps: object, schema_editor: object) -> None:
        for name in model_names:
            model = apps.get_model(app_label, name)  # type: ignore[attr-defined]
            rewrite_model(model, decrypt=True, using=schema_editor.connection.alias)  # type: ignore[attr-defined]

    return forward, backward

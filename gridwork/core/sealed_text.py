"""Free text with the numbers in it sealed: what people type stays searchable, an ID number or a
phone typed into it does not lie in the database as written.

A case's description, a visit's findings or a memo are free text that staff search by their words,
so the whole text cannot be encrypted like an ID number column. But people type ID numbers and
phones into them ("王大爷 13800138000 反映…"), and a raw dump of the database must not show
those. `SealedTextField` and `SealedCharField` store the text with every number that masking
would mask (`core.masking`) replaced by its AES-GCM ciphertext between ⟦ and ⟧, under the field
keys (`core.field_crypto`, the column as associated data); Python reads the text as written.

- Searching the words works as before (`icontains`); searching a number typed into the text
  does not find it: look it up in the register, whose columns have their keyed hash.
- Brackets typed by a user are stored as ordinary ones, so every ⟦…⟧ in a column is a seal.
- A seal that no listed key opens (a key dropped from FIELD_KEYS too early, a damaged row) reads
  as ⟦?⟧ rather than failing the page; `gridwork rotate_keys` rewrites every seal under the
  current key (`reseal_model`).
- Only saves seal (`get_db_prep_save`): a lookup's value is compared as given.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from django.apps import apps as global_apps
from django.db import connections, models, transaction

from gridwork.core.encrypted_fields import column_label
from gridwork.core.field_crypto import FieldDecryptError, keyring
from gridwork.core.masking import PERSONAL_NUMBER_PATTERNS

log = logging.getLogger(__name__)

OPEN, CLOSE = "\u27e6", "\u27e7"  # ⟦ ⟧
_SEAL = re.compile(f"{OPEN}([^{CLOSE}]*){CLOSE}")
_TYPED = str.maketrans({OPEN: "[", CLOSE: "]"})
UNREADABLE = f"{OPEN}?{CLOSE}"
BATCH_ROWS = 500
# One pass over the text, so that a seal already written is never looked into again.
_NUMBER = re.compile("|".join(f"(?:{p.pattern})" for p in PERSONAL_NUMBER_PATTERNS))


def seal(text: str, label: str) -> str:
    """The text as stored: each personal number replaced by its seal."""
    text = text.translate(_TYPED)
    ring = keyring()
    return _NUMBER.sub(lambda m: OPEN + ring.encrypt(m.group(0), label) + CLOSE, text)


def unseal(stored: str, label: str, *, strict: bool = False) -> str:
    """The text as written; with `strict`, a seal that no listed key opens raises."""
    if OPEN not in stored:
        return stored
    ring = keyring()

    def opened(match: re.Match[str]) -> str:
        try:
            return ring.decrypt(match.group(1), label)
        except FieldDecryptError:
            if strict:
                raise
            log.warning("%s: a sealed number could not be opened", label)
            return UNREADABLE

    return _SEAL.sub(opened, stored)


def is_current(stored: str) -> bool:
    """Whether every seal in the stored text is under the current key and no number lies bare."""
    ring = keyring()
    bare = _SEAL.sub(" ", stored)
    if _NUMBER.search(bare):
        return False
    return all(ring.is_current(m.group(1)) for m in _SEAL.finditer(stored))


class _Sealing:
    # Known to writers that bypass the ORM (core.encrypted_fields.row_sealer) by this mark.
    seals_text = True

    def seal_text(self, value: Any) -> Any:
        return seal(value, column_label(self)) if isinstance(value, str) and value else value  # type: ignore[arg-type]

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        return unseal(value, column_label(self)) if value else value  # type: ignore[arg-type]

    def get_db_prep_save(self, value: Any, connection: Any) -> Any:
        return self.seal_text(super().get_db_prep_save(value, connection))  # type: ignore[misc]


class SealedTextField(_Sealing, models.TextField):
    pass


class SealedCharField(_Sealing, models.CharField):
    """max_length bounds the text as written; the column is text, since seals are longer."""

    def db_type(self, connection: Any) -> str:
        return connection.data_types["TextField"]

    def cast_db_type(self, connection: Any) -> str:
        return self.db_type(connection)


def sealed_fields(model: type[models.Model]) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if isinstance(f, _Sealing)]


def sealed_models() -> list[type[models.Model]]:
    return [m for m in global_apps.get_models() if sealed_fields(m)]


def reseal_model(
    model: type[models.Model],
    *,
    using: str = "default",
    progress: Callable[[int, int], None] | None = None,
    first: bool = False,
) -> tuple[int, int]:
    """Write again every row whose sealed columns hold a bare number or a seal under an older key:
    (rows read, rows written). Stopped and started again, it skips what is done. A seal that no
    listed key opens stops it (FieldDecryptError), rather than be written back unreadable.
    `first`: the columns hold text as typed (the migration that starts sealing them), so brackets
    in it are a user's, not seals."""
    fields = sealed_fields(model)
    manager = model._base_manager.using(using)
    last, rows, changed = None, 0, 0
    while True:
        with transaction.atomic(using=using):
            pks = manager.order_by("pk")
            if last is not None:
                pks = pks.filter(pk__gt=last)
            batch = list(pks.select_for_update().values_list("pk", flat=True)[:BATCH_ROWS])
            if not batch:
                break
            for pk, stored in _raw_values(model, fields, batch, using).items():
                if first:
                    changes = {
                        f.attname: value
                        for f, value in zip(fields, stored, strict=True)
                        if value and (_NUMBER.search(value) or OPEN in value or CLOSE in value)
                    }
                else:
                    changes = {
                        f.attname: unseal(value, column_label(f), strict=True)
                        for f, value in zip(fields, stored, strict=True)
                        if value and not is_current(value)
                    }
                if changes:
                    # update() saves through the fields: the text is sealed under the current key.
                    manager.filter(pk=pk).update(**changes)
                    changed += 1
        last = batch[-1]
        rows += len(batch)
        if progress is not None:
            progress(rows, changed)
    return rows, changed


def _raw_values(model: type[models.Model], fields: list[models.Field], pks: list[Any], using: str) -> dict:
    connection = connections[using]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
    marks = ", ".join(["%s"] * len(pks))
    with connection.cursor() as cursor:
        # Names come from the model's meta, quoted; values are parameters.
        cursor.execute(f"SELECT {pk}, {columns} FROM {table} WHERE {pk} IN ({marks})", pks)  # noqa: S608
        return {row[0]: row[1:] for row in cursor.fetchall()}


def _unseal_model(model: type[models.Model], using: str) -> None:
    """Every sealed column back to the text as typed, written raw (the field no longer seals)."""
    fields = sealed_fields(model)
    connection = connections[using]
    quote = connection.ops.quote_name
    table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
    pks = list(model._base_manager.using(using).order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(pks), BATCH_ROWS):
        for key, stored in _raw_values(model, fields, pks[start : start + BATCH_ROWS], using).items():
            for f, value in zip(fields, stored, strict=True):
                if value and OPEN in value:
                    with connection.cursor() as cursor:
                        cursor.execute(
                            f"UPDATE {table} SET {quote(f.column)} = %s WHERE {pk} = %s",  # noqa: S608
                            [unseal(value, column_label(f), strict=True), key],
                        )


def reseal_step(app_label: str, model_names: list[str]) -> tuple[Callable[[Any, Any], None], Callable]:
    """RunPython's forward and backward for the migration that first seals these models' free
    text: forward, numbers typed before it are sealed; backward, every seal opened again."""

    def forward(apps: Any, schema_editor: Any) -> None:
        for name in model_names:
            reseal_model(apps.get_model(app_label, name), using=schema_editor.connection.alias, first=True)

    def backward(apps: Any, schema_editor: Any) -> None:
        # Run before the reversed AlterField: the state's fields are still the sealing ones.
        for name in model_names:
            _unseal_model(apps.get_model(app_label, name), schema_editor.connection.alias)

    return forward, backward


def seal_json(value: Any, label: str) -> Any:
    """A JSON document (dicts, lists, strings) with the numbers in its strings sealed, for a JSON
    column that keeps what a phone sent (a sync conflict's entry). Keys are left as they are."""
    if isinstance(value, str):
        return seal(value, label) if value else value
    if isinstance(value, list):
        return [seal_json(v, label) for v in value]
    if isinstance(value, dict):
        return {k: seal_json(v, label) for k, v in value.items()}
    return value


def unseal_json(value: Any, label: str) -> Any:
    if isinstance(value, str):
        return unseal(value, label)
    if isinstance(value, list):
        return [unseal_json(v, label) for v in value]
    if isinstance(value, dict):
        return {k: unseal_json(v, label) for k, v in value.items()}
    return value

"""Model fields for ID numbers and phones: encrypted in the database, plain in Python.

`EncryptedCharField` stores AES-GCM ciphertext (`core.field_crypto`) and reads back the plain value;
`HashField(source=...)` beside it stores the value's HMAC, set on every save and bulk_create. The
rest of the code writes `filter(id_number=x)` and `filter(phone__in=[...])` as before: those two
lookups are answered from the hash column. Any other lookup on an encrypted column (contains,
startswith, ranges, iexact) is refused with FieldError, since the database cannot read the values.

Writers that bypass the ORM (the import's SQL, the demo's executemany) seal their rows with
`row_sealer`. `save(update_fields=[...])` naming an encrypted field must name its hash too: a
signal refuses it otherwise, rather than leave a stale hash.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.core.exceptions import FieldError
from django.db import models
from django.db.models.expressions import Col
from django.db.models.lookups import Exact, In, IsNull, Lookup
from django.db.models.signals import pre_save

from gridwork.core.field_crypto import keyring


def column_label(field: models.Field) -> str:
    """The associated data and HMAC domain of a column: `registry.person.id_number`."""
    return f"{field.model._meta.label_lower}.{field.name}"


class EncryptedCharField(models.CharField):
    """A CharField whose column holds ciphertext; max_length bounds the plain value.

    Empty text and None are stored as they are (a blank phone is not a secret)."""

    def db_type(self, connection: Any) -> str:
        # Ciphertext is longer than the value and its length is not the field's business.
        return connection.data_types["TextField"]

    def cast_db_type(self, connection: Any) -> str:
        return self.db_type(connection)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if not value:
            return value
        return keyring().decrypt(value, column_label(self))

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        value = super().get_db_prep_value(value, connection, prepared)
        return self.seal(value)

    def seal(self, value: Any) -> Any:
        if value is None or value == "":
            return value
        return keyring().encrypt(str(value), column_label(self))

    def hashes_of(self, value: Any) -> list[str]:
        if value is None:
            return []
        text = self.to_python(value)
        return [""] if text == "" else keyring().hashes(text, column_label(self))

    @property
    def hash_field(self) -> HashField:
        for field in self.model._meta.concrete_fields:
            if isinstance(field, HashField) and field.source == self.name and not field.normalise:
                return field
        raise FieldError(f"{column_label(self)} has no HashField beside it")

    def get_lookup(self, lookup_name: str) -> Any:
        allowed = {"exact": HashedExact, "in": HashedIn, "isnull": IsNull}
        if lookup_name in allowed:
            return allowed[lookup_name]
        raise _refused(self, lookup_name)

    def get_transform(self, lookup_name: str) -> Any:
        raise _refused(self, lookup_name)


def _refused(field: models.Field, lookup: str) -> FieldError:
    return FieldError(
        f"{column_label(field)} is encrypted: only an exact match (or __in) can be looked up, not {lookup}"
    )


class _HashedLookup(Lookup):
    """A lookup on the encrypted column answered by the hash column of the same table."""

    prepare_rhs = False
    can_use_none_as_rhs = False

    def get_prep_lookup(self) -> Any:
        if hasattr(self.rhs, "resolve_expression"):
            raise _refused(self.lhs.output_field, "a comparison with another column or expression")
        return self.rhs

    def _hash_col(self) -> Col:
        if not isinstance(self.lhs, Col):
            raise _refused(self.lhs.output_field, "a function of the column")
        field = self.lhs.target
        hash_field = field.hash_field
        return Col(self.lhs.alias, hash_field, hash_field)

    def _hashes(self) -> list[str]:
        raise NotImplementedError

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list]:
        hashes = self._hashes()
        col = self._hash_col()
        if len(hashes) == 1:
            return Exact(col, hashes[0]).as_sql(compiler, connection)
        if not hashes:
            # `__in=[]`: Django answers EmptyResultSet, as for any column.
            return In(col, []).as_sql(compiler, connection)
        return In(col, hashes).as_sql(compiler, connection)


class HashedExact(_HashedLookup):
    lookup_name = "exact"

    def _hashes(self) -> list[str]:
        return self.lhs.target.hashes_of(self.rhs)


class HashedIn(_HashedLookup):
    lookup_name = "in"

    def get_prep_lookup(self) -> Any:
        rhs = super().get_prep_lookup()
        return [value for value in rhs if value is not None]

    def _hashes(self) -> list[str]:
        field = self.lhs.target
        return sorted({h for value in self.rhs for h in field.hashes_of(value)})


class HashField(models.CharField):
    """The HMAC-SHA256 (hex) of another field's plain value, under the current FIELD_HMAC_KEYS key.

    With `normalise`, of the value without spaces and in upper case: for finding numbers that
    differ only so (registry.duplicates); lookups and uniqueness use the exact one."""

    def __init__(self, *args: Any, source: str = "", normalise: bool = False, **kwargs: Any) -> None:
        self.source = source
        self.normalise = normalise
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> tuple:
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        if self.normalise:
            kwargs["normalise"] = True
        for key, value in (("max_length", 64), ("editable", False), ("blank", True), ("default", "")):
            if kwargs.get(key) == value:
                kwargs.pop(key)
        return name, path, args, kwargs

    def hash_of(self, value: Any) -> Any:
        if value is None:
            return None if self.null else ""
        text = str(value)
        if self.normalise:
            text = text.replace(" ", "").upper()
        if text == "":
            return ""
        label = column_label(self.model._meta.get_field(self.source))
        return keyring().hash(text, label + "#normalised" if self.normalise else label)

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        value = self.hash_of(getattr(model_instance, self.source))
        setattr(model_instance, self.attname, value)
        return value

    def contribute_to_class(self, cls: type[models.Model], name: str, private_only: bool = False) -> None:
        super().contribute_to_class(cls, name, private_only)
        if not cls._meta.abstract:
            pre_save.connect(
                _refuse_stale_hash, sender=cls, weak=False, dispatch_uid=f"hash:{cls._meta.label}:{name}"
            )


def _refuse_stale_hash(
    sender: type[models.Model], update_fields: Iterable[str] | None = None, **kwargs: Any
) -> None:
    if not update_fields:
        return
    names = set(update_fields)
    for field in sender._meta.concrete_fields:
        if isinstance(field, HashField) and field.source in names and field.name not in names:
            raise ValueError(f"save(update_fields=...) names {field.source} but not {field.name}")


def hash_fields_for(model: type[models.Model], names: Iterable[str]) -> list[str]:
    """The hash fields to write beside these fields (for bulk_update and update_fields)."""
    wanted = set(names)
    return [f.name for f in model._meta.concrete_fields if isinstance(f, HashField) and f.source in wanted]


def encrypted_fields(model: type[models.Model]) -> list[EncryptedCharField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, EncryptedCharField)]


def row_sealer(fields: Sequence[models.Field]) -> Callable[[list], list]:
    """For writers that bypass the ORM: a function taking the row's plain values (in `fields`
    order) to what the columns store — hashes from their sources, then ciphertext, and free text
    with its typed numbers sealed."""
    position = {f.name: n for n, f in enumerate(fields)}
    hashing = [(n, f, position[f.source]) for n, f in enumerate(fields) if isinstance(f, HashField)]
    sealing = [(n, f) for n, f in enumerate(fields) if isinstance(f, EncryptedCharField)]
    # Free text whose typed numbers are sealed (core.sealed_text).
    texts = [(n, f) for n, f in enumerate(fields) if getattr(f, "seals_text", False)]

    def seal(values: list) -> list:
        for n, field, source in hashing:
            values[n] = field.hash_of(values[source])
        for n, field in sealing:
            values[n] = field.seal(values[n])
        for n, field in texts:
            values[n] = field.seal_text(values[n])
        return values

    return seal

"""A record's rules checked on plain values, without the database: for the bulk importer.

`save_record` checks a record with `full_clean` and the register's rules (`services._check`).
Building a model instance and calling `full_clean` costs tens of microseconds a record, too much
for a million-row import, so `FieldRules` compiles the same field checks once per model (length,
blank, null, choices) into plain comparisons, and asks Django's own `field.clean` for the message
only when a check fails — the messages are Django's, word for word. `validate_person_values` adds
the register's rules from `registry.services` (the same functions save_record calls) and merges
them the way save_record does.

Foreign keys and uniqueness are not checked here: the importer resolves references from its own
maps and checks duplicates against the register and the file.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models

from gridwork.registry import choices as c
from gridwork.registry.models import Person
from gridwork.registry.services import (
    EDITABLE,
    drop_derived_noise,
    merge_errors,
    person_clash_message,
    person_rule_errors,
)

BLANK = "value is None or value == ''"


def plain_condition(field: models.Field, number: int, namespace: dict[str, Any]) -> str | None:
    """A Python expression true of `value` when full_clean's checks of `field` pass (blank, type,
    length, choices), for a generated check (`namespace` gets the choices as `choices<number>`);
    None when the field is not plain (other validators, other types): ask Django."""
    if not all(isinstance(v, MaxLengthValidator) for v in field.validators):
        return None
    checks = [BLANK] if field.blank else []
    if isinstance(field, models.DateField) and not isinstance(field, models.DateTimeField):
        checks.append("type(value) is date")
    elif isinstance(field, models.CharField | models.TextField):
        fast = ["type(value) is str"]
        if getattr(field, "max_length", None):
            fast.append(f"len(value) <= {int(field.max_length)}")
        if field.flatchoices:
            namespace[f"choices{number}"] = frozenset(str(v) for v, _label in field.flatchoices)
            fast.append(f"value in choices{number}")
        if not field.blank:
            fast.append("value != ''")
        checks.append(" and ".join(fast))
    else:
        return None
    return " or ".join(f"({check})" for check in checks)


class FieldRules:
    """full_clean's field checks of one model, compiled to plain comparisons.

    The check of a record is generated once per model as one straight block of comparisons per
    field (a loop over field objects cost more than the comparisons themselves).
    """

    def __init__(self, model: type[models.Model]) -> None:
        self.model = model
        self.fields: list[models.Field] = [
            model._meta.get_field(name)
            for name in EDITABLE[model]
            if not isinstance(model._meta.get_field(name), models.ForeignKey)
        ]
        self.errors: Callable[[dict[str, Any]], dict[str, list[str]]] = self._generate()

    def defaults(self) -> dict[str, Any]:
        """The values of a new record before a row's cells are applied (choices as plain text)."""
        values = {}
        for field in self.fields:
            value = field.get_default()
            values[field.attname] = value.value if isinstance(value, enum.Enum) else value
        return values

    def _generate(self) -> Callable[[dict[str, Any]], dict[str, list[str]]]:
        namespace: dict[str, Any] = {"date": dt.date, "slow": self._slow}
        lines = ["def errors(values):", "    found = {}"]
        for number, field in enumerate(self.fields):
            condition = plain_condition(field, number, namespace)
            if condition is None:  # not a plain field: only an empty value passes without Django
                condition = BLANK if field.blank else "False"
            lines.append(f"    value = values.get({field.attname!r})")
            lines += [f"    if not ({condition}):", f"        slow(found, {number}, value)"]
        lines.append("    return found")
        exec(compile("\n".join(lines), f"<field rules of {self.model.__name__}>", "exec"), namespace)  # noqa: S102
        return namespace["errors"]

    def _slow(self, found: dict[str, list[str]], number: int, value: Any) -> None:
        """Django's own check of one field, for its exact message."""
        field = self.fields[number]
        try:
            field.clean(value, None)
        except ValidationError as exc:
            found[field.name] = exc.messages


@functools.cache
def field_rules(model: type[models.Model]) -> FieldRules:
    return FieldRules(model)


def validate_person_values(values: dict[str, Any], *, clash: bool) -> dict[str, list[str]]:
    """Every error of a person's values (by field), as save_record's validation reports them.

    `values` are the record's field values by attname, already derived (`derive_person_values`);
    `clash` says whether another living person holds the ID number (the caller's own lookup).
    """
    errors = field_rules(Person).errors(values)
    id_type, id_number = values["id_type"], values["id_number"]
    rules = person_rule_errors(id_type, id_number, values["birth_date"], values["sex"], values["phone"])
    if clash and id_number and values["status"] != c.PersonStatus.DECEASED:
        rules.setdefault("id_number", []).append(person_clash_message())
    if rules:
        merge_errors(errors, rules)
    drop_derived_noise(errors, id_type, values["birth_date"], values["sex"])
    return errors

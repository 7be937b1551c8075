"""The register's rules for a record's values, without the database: one set for every writer.

`services.save_record` (the pages, the API, the row-by-row import) checks a record with Django's
`full_clean` and the rules below; the bulk person import checks plain values with the same
rules, and with `FieldRules` instead of `full_clean`: building a model instance and calling
`full_clean` costs tens of microseconds a record, too much for a million-row import.

The ID document and phone rules themselves are `core.validators`'; here they are applied to a
person's fields, and their errors merged the way save_record reports them.

Foreign keys and uniqueness are not checked here: save_record resolves references and the
importer its own maps, and both look for a living person with the same ID number themselves.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import re
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.translation import gettext as _

from gridwork.core.validators import (
    check_resident_id_agrees,
    has_control_characters,
    normalise_phone,
    parse_resident_id,
    validate_phone,
    validate_text,
)
from gridwork.registry import choices as c
from gridwork.registry.models import Person

_PASSPORT = re.compile(r"[A-Z0-9]{5,20}")
# The choices' stored values, read once: an enum member's lookup costs more than the comparison.
RESIDENT_ID, PASSPORT = c.IdType.RESIDENT_ID.value, c.IdType.PASSPORT.value
DECEASED = c.PersonStatus.DECEASED.value


def derive_person_values(
    id_type: str, id_number: str | None, phone: str | None, birth_date: dt.date | None, sex: str | None
) -> tuple[str, str, dt.date | None, str | None]:
    """(id number, phone, birth date, sex) normalised, birth date and sex read from a resident ID."""
    id_number = (id_number or "").strip().upper()
    phone = normalise_phone(phone)
    if id_type == RESIDENT_ID and id_number and (not birth_date or not sex):
        try:
            birth, id_sex = parse_resident_id(id_number)
        except ValidationError:
            return id_number, phone, birth_date, sex  # reported by person_rule_errors
        birth_date = birth_date or birth
        sex = sex or id_sex
    return id_number, phone, birth_date, sex


def person_rule_errors(
    id_type: str,
    id_number: str,
    birth_date: dt.date | None,
    sex: str | None,
    phone: str,
    today: dt.date | None = None,
) -> dict[str, list[str]]:
    """The register's rules for a person's ID document and phone, by field; {} when they hold.

    The one-living-person-per-ID rule needs the register, so callers check it themselves and
    report it with `person_clash_message()`. `today` bounds a birth date (default: the clock's).
    """
    errors: dict[str, list[str]] = {}
    if id_type == RESIDENT_ID:
        try:
            for err in check_resident_id_agrees(id_number, birth_date, sex, today):
                errors.setdefault("birth_date" if err.code == "birth_mismatch" else "sex", []).extend(
                    err.messages
                )
        except ValidationError as exc:
            errors.setdefault("id_number", []).extend(exc.messages)
    elif id_type == PASSPORT and not _PASSPORT.fullmatch(id_number):
        errors.setdefault("id_number", []).append(_("A passport number has 5 to 20 letters and digits."))
    elif not id_number:
        errors.setdefault("id_number", []).append(_("This field cannot be blank."))
    if phone:
        try:
            validate_phone(phone)
        except ValidationError as exc:
            errors.setdefault("phone", []).extend(exc.messages)
    return errors


def person_clash_message() -> str:
    return _("A living person with this ID number is already in the register.")


def merge_errors(errors: dict[str, list[str]], more: dict[str, list[str]]) -> None:
    """Add the rule errors to the field errors, keeping each message once."""
    for key, messages in more.items():
        errors.setdefault(key, []).extend(m for m in messages if m not in errors.get(key, []))


def drop_derived_noise(errors: dict[str, list[str]], id_type: str, birth_date: Any, sex: Any) -> None:
    """Birth date and sex are read from a valid ID number; with a bad one, "blank" there is noise."""
    if "id_number" in errors and id_type == RESIDENT_ID:
        for derived, value in (("birth_date", birth_date), ("sex", sex)):
            if value in (None, ""):
                errors.pop(derived, None)


# --- full_clean's field checks on plain values ------------------------------------------------

Test = Callable[[Any], bool]
_ABSENT = object()


def _definition_test(field: models.Field) -> Test | None:
    """A test of a value against the field's definition (type, blank, length, choices) that passes
    exactly when full_clean's check of the field passes; None for a field with other validators or
    of another type, which Django checks itself."""
    if not all(isinstance(v, MaxLengthValidator) for v in field.validators):
        return None
    blank = field.blank
    if isinstance(field, models.DateField) and not isinstance(field, models.DateTimeField):

        def date_passes(value: Any) -> bool:
            return type(value) is dt.date or (blank and (value is None or value == ""))

        return date_passes
    if not isinstance(field, models.CharField | models.TextField):
        return None
    limit = field.max_length
    allowed = frozenset(str(v) for v, _label in field.flatchoices) if field.flatchoices else None

    multiline = isinstance(field, models.TextField)

    def text_passes(value: Any) -> bool:
        if type(value) is not str:
            return blank and value is None
        if value == "":
            return blank
        return (
            (limit is None or len(value) <= limit)
            and (allowed is None or value in allowed)
            and not has_control_characters(value, multiline=multiline)
        )

    return text_passes


class FieldRules:
    """full_clean's checks of a model's own fields (foreign keys and automatic ones aside).

    A value that passes its field's definition test is accepted without Django; one that does not
    (or a field without such a test) goes to Django's `field.clean`, whose messages are reported.
    """

    def __init__(self, model: type[models.Model]) -> None:
        self.fields: list[models.Field] = [
            field
            for field in model._meta.concrete_fields
            if not field.primary_key
            and not isinstance(field, models.ForeignKey)
            and not getattr(field, "auto_now", False)
            and not getattr(field, "auto_now_add", False)
        ]
        self.tests = [(field.attname, field, _definition_test(field)) for field in self.fields]
        # A value that is the field's default itself (a cell left blank) has the default's verdict.
        self.passing_defaults = {
            field.attname: value for field, value in zip(self.fields, self.defaults().values(), strict=True)
        }
        for attname, field, _test in self.tests:
            if self._field_errors(field, self.passing_defaults[attname]):
                del self.passing_defaults[attname]

    def defaults(self) -> dict[str, Any]:
        """The values of a new record before any are given (choices as plain text)."""
        values = {}
        for field in self.fields:
            value = field.get_default()
            values[field.attname] = value.value if isinstance(value, enum.Enum) else value
        return values

    def errors(self, values: dict[str, Any]) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        passing_defaults = self.passing_defaults
        for attname, field, passes in self.tests:
            value = values.get(attname)
            if value is passing_defaults.get(attname, _ABSENT) or (passes is not None and passes(value)):
                continue
            messages = self._field_errors(field, value)
            if messages:
                found[field.name] = messages
        return found

    @staticmethod
    def _field_errors(field: models.Field, value: Any) -> list[str]:
        if field.blank and value in field.empty_values:
            return []  # as full_clean, which leaves an allowed blank alone
        try:
            field.clean(value, None)
            if isinstance(field, models.CharField | models.TextField):
                # As registry.services checks every text it writes (full_clean does not).
                validate_text(value, multiline=isinstance(field, models.TextField))
        except ValidationError as exc:
            return exc.messages
        return []


@functools.cache
def field_rules(model: type[models.Model]) -> FieldRules:
    return FieldRules(model)


def validate_person_values(
    values: dict[str, Any], *, clash: bool, today: dt.date | None = None
) -> dict[str, list[str]]:
    """Every error of a person's values (by field), as save_record's validation reports them.

    `values` are the record's field values by attname, already derived (`derive_person_values`);
    `clash` says whether another living person holds the ID number (the caller's own lookup);
    `today` is the day a file's check started (the clock costs more than the rest of a check).
    """
    errors = field_rules(Person).errors(values)
    id_type, id_number = values["id_type"], values["id_number"]
    rules = person_rule_errors(
        id_type, id_number, values["birth_date"], values["sex"], values["phone"], today
    )
    if clash and id_number and values["status"] != DECEASED:
        rules.setdefault("id_number", []).append(person_clash_message())
    if rules:
        merge_errors(errors, rules)
    drop_derived_noise(errors, id_type, values["birth_date"], values["sex"])
    return errors

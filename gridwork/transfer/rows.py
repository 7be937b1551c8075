"""One spreadsheet row → one register record, through `registry.services.save_record`.

Parsing turns cells into values by the column specification; `apply_row` resolves references
(household number, building code + unit + room, credit code, ID number, key-group code) within
the actor's scope and calls save_record, which checks permission and scope, validates the record
by the register's own rules and writes its history. Errors come back keyed by column key.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import models
from django.utils.translation import gettext as _

from gridwork.registry import choices as c
from gridwork.registry.models import (
    Building,
    FacilityObject,
    House,
    Household,
    KeyGroup,
    Organization,
    Person,
    PersonTag,
)
from gridwork.registry.services import save_record, scoped
from gridwork.transfer.columns import Kind

ColumnErrors = dict[str, list[str]]


class RowInvalid(Exception):
    """The row cannot be saved; errors by column key."""

    def __init__(self, errors: ColumnErrors) -> None:
        super().__init__(errors)
        self.errors = errors


def parse_row(kind: Kind, index: dict[str, int], cells: list[Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(values by column key, raw cells by column key); raises RowInvalid on unparsable or missing cells."""
    values: dict[str, Any] = {}
    raw: dict[str, Any] = {}
    errors: ColumnErrors = {}
    for column in kind.columns:
        position = index.get(column.key)
        cell = cells[position] if position is not None and position < len(cells) else None
        raw[column.key] = cell
        try:
            value = column.to_python(cell)
        except ValidationError as exc:
            errors.setdefault(column.key, []).extend(exc.messages)
            continue
        if column.required and value in (None, ""):
            errors.setdefault(column.key, []).append(_("This field is required."))
            continue
        values[column.key] = value
    if errors:
        raise RowInvalid(errors)
    return values, raw


def match_key(kind: Kind, values: dict[str, Any]) -> tuple[str, str] | None:
    """(column key, identity) of the row, for duplicates inside the file; None when it has none."""
    if kind.name == "houses":
        return "room", f"{values.get('building_code')}|{values.get('unit')}|{values.get('room')}"
    if kind.name == "tags":
        return "group_code", f"{values.get('id_number')}|{values.get('group_code')}"
    value = values.get(kind.match_key) if kind.match_key else None
    return (kind.match_key, str(value)) if value else None


# Model field → column key, where they differ.
_FIELD_COLUMN = {
    "persons": {"household": "household_number", "house": "building_code"},
    "houses": {"building": "building_code", "owner": "owner_id_number"},
    "buildings": {"property_company": "property_company_credit_code"},
    "tags": {"person": "id_number", "group": "group_code"},
}


def _remap(kind: Kind, exc: ValidationError, default: str = "") -> ColumnErrors:
    """A save_record ValidationError, keyed by model field, keyed by column instead."""
    by_field = {column.field: column.key for column in kind.columns if column.field}
    by_field.update(_FIELD_COLUMN.get(kind.name, {}))
    keys = {column.key for column in kind.columns}
    errors: ColumnErrors = {}
    items = exc.message_dict.items() if hasattr(exc, "error_dict") else [(NON_FIELD_ERRORS, exc.messages)]
    for field_name, messages in items:
        key = by_field.get(field_name, field_name if field_name in keys else default)
        errors.setdefault(key, []).extend(messages)
    return errors


def _data(kind: Kind, values: dict[str, Any]) -> dict[str, Any]:
    """save_record's field values: a blank cell leaves the field as it is (default on create)."""
    return {
        column.field: values[column.key]
        for column in kind.columns
        if column.field and values.get(column.key) not in (None, "")
    }


def _not_found(key: str) -> RowInvalid:
    return RowInvalid({key: [_("No such record in your area.")]})


def _existing(qs: models.QuerySet, update: bool) -> Any:
    return qs.first() if update else None


def _save(
    kind: Kind, actor: Any, model: type[models.Model], data: dict[str, Any], pk: Any, default: str
) -> Any:
    try:
        return save_record(actor, model, data, pk=pk)
    except ValidationError as exc:
        raise RowInvalid(_remap(kind, exc, default)) from exc
    except PermissionDenied as exc:
        raise RowInvalid({default: [str(exc)]}) from exc


def _house(kind: Kind, actor: Any, building_code: str, unit: int | None, room: str) -> House:
    """The house in a building visible to the actor; created when the building has no such room yet."""
    building = scoped(Building, actor).filter(code=building_code).first()
    if building is None:
        raise _not_found("building_code")
    if not room:
        raise RowInvalid({"room": [_("This field is required.")]})
    unit = unit or 1
    house = House.objects.filter(building=building, unit=unit, room=room).first()
    if house is not None:
        return house
    # The floor is the room number without its last two digits (1201 → 12), as rooms are numbered.
    floor = int(room[:-2]) if room.isdigit() and len(room) >= 3 else 1
    data = {"building": building.pk, "unit": unit, "room": room, "floor": floor}
    return _save(kind, actor, House, data, None, "building_code")


def _person(kind: Kind, actor: Any, values: dict[str, Any], update: bool) -> str:
    data = _data(kind, values)
    number = values.get("household_number")
    if number:
        data.pop("grid", None)  # the household decides the grid
        household = Household.objects.filter(number=number).first()
        if household is None:
            hh_data: dict[str, Any] = {"number": number}
            if values.get("building_code"):
                hh_data["house"] = _house(
                    kind, actor, values["building_code"], values.get("unit"), values.get("room") or ""
                ).pk
            elif values.get("grid"):
                hh_data["grid"] = values["grid"]
            else:
                raise RowInvalid({"grid": [_("A new household needs a house or a grid code.")]})
            # Refused scope is about the place the household would be in: its house or its grid.
            where = "building_code" if "house" in hh_data else "grid"
            household = _save(kind, actor, Household, hh_data, None, where)
        data["household"] = household.pk
    existing = _existing(
        scoped(Person, actor)
        .filter(id_type=values.get("id_type") or c.IdType.RESIDENT_ID, id_number=values["id_number"])
        .exclude(status=c.PersonStatus.DECEASED),
        update,
    )
    _save(kind, actor, Person, data, existing.pk if existing else None, "grid")
    return "update" if existing else "create"


def _building(kind: Kind, actor: Any, values: dict[str, Any], update: bool) -> str:
    data = _data(kind, values)
    credit = values.get("property_company_credit_code")
    if credit:
        company = scoped(Organization, actor).filter(credit_code=credit).first()
        if company is None:
            raise _not_found("property_company_credit_code")
        data["property_company"] = company.pk
    existing = _existing(scoped(Building, actor).filter(code=values["code"]), update)
    _save(kind, actor, Building, data, existing.pk if existing else None, "grid")
    return "update" if existing else "create"


def _house_row(kind: Kind, actor: Any, values: dict[str, Any], update: bool) -> str:
    data = _data(kind, values)
    building = scoped(Building, actor).filter(code=values["building_code"]).first()
    if building is None:
        raise _not_found("building_code")
    data["building"] = building.pk
    owner_id = values.get("owner_id_number")
    if owner_id:
        owner = (
            scoped(Person, actor).filter(id_number=owner_id).exclude(status=c.PersonStatus.DECEASED).first()
        )
        if owner is None:
            raise _not_found("owner_id_number")
        data["owner"] = owner.pk
    existing = _existing(
        scoped(House, actor).filter(building=building, unit=values["unit"], room=values["room"]), update
    )
    _save(kind, actor, House, data, existing.pk if existing else None, "building_code")
    return "update" if existing else "create"


def _by_code(model: type[models.Model], field: str) -> Any:
    def apply(kind: Kind, actor: Any, values: dict[str, Any], update: bool) -> str:
        data = _data(kind, values)
        key = values.get(kind.match_key)
        existing = _existing(scoped(model, actor).filter(**{field: key}), update) if key else None
        _save(kind, actor, model, data, existing.pk if existing else None, "grid")
        return "update" if existing else "create"

    return apply


def _tag(kind: Kind, actor: Any, values: dict[str, Any], update: bool) -> str:
    data = _data(kind, values)
    person = (
        scoped(Person, actor)
        .filter(id_number=values["id_number"])
        .exclude(status=c.PersonStatus.DECEASED)
        .first()
    )
    if person is None:
        raise _not_found("id_number")
    group = KeyGroup.objects.filter(code=values["group_code"]).first()
    if group is None:
        raise RowInvalid({"group_code": [_("Unknown key group code.")]})
    data.update(person=person.pk, group=group.pk)
    existing = _existing(
        scoped(PersonTag, actor).filter(person=person, group=group, since=values["since"]), update
    )
    _save(kind, actor, PersonTag, data, existing.pk if existing else None, "id_number")
    return "update" if existing else "create"


_APPLY = {
    "persons": _person,
    "buildings": _building,
    "houses": _house_row,
    "organizations": _by_code(Organization, "credit_code"),
    "objects": _by_code(FacilityObject, "code"),
    "tags": _tag,
}


def apply_row(kind: Kind, actor: Any, values: dict[str, Any], update: bool) -> str:
    """Save one row's record; "create" or "update". Raises RowInvalid with errors by column key."""
    return _APPLY[kind.name](kind, actor, values, update)

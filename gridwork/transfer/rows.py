"""One spreadsheet row → one register record, through `registry.services.save_record`.

Parsing turns cells into values by the column specification; `apply_row` resolves references
(household number, building code + unit + room, credit code, ID number, key-group code) within
the actor's scope and calls save_record, which checks permission and scope, validates the record
by the register's own rules and writes its history. Errors come back keyed by column key.
"""

from __future__ import annotations

from collections.abc import Callable
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
from gridwork.registry.services import check_record, save_record, scoped
from gridwork.registry.uniqueness import Clash, RegisteredElsewhere, elsewhere_message, log_attempt
from gridwork.transfer.cells import code_text, remembered, text
from gridwork.transfer.columns import Kind

ColumnErrors = dict[str, list[str]]


class RowInvalid(Exception):
    """The row cannot be saved; errors by column key."""

    def __init__(self, errors: ColumnErrors) -> None:
        super().__init__(errors)
        self.errors = errors


class RowReader:
    """Cells → values by column key, for the columns of one file's header (`columns.header_index`).

    A blank cell, or a column absent from the file, gives no value: `values.get(key)` is None.
    Parsers of columns with few distinct values (all but text) are remembered per distinct cell
    (`cells.remembered`), and a text cell seen before is looked up without a call.
    """

    def __init__(self, kind: Kind, index: dict[str, int]) -> None:
        self.plan: list[tuple[str, int, Callable[[Any], Any], dict | None, Any, bool]] = []
        for column in kind.columns:
            position = index.get(column.key)
            if position is None:
                continue
            if column.to_python in (text, code_text):
                self.plan.append((column.key, position, column.to_python, None, None, column.required))
            else:
                outcome = remembered(column.to_python)
                self.plan.append((column.key, position, outcome, outcome.memo, outcome, column.required))
        self.required_message = _("This field is required.")

    def read(self, cells: list[Any]) -> tuple[dict[str, Any], ColumnErrors | None]:
        """(values, None), or (values so far, errors by column key)."""
        values: dict[str, Any] = {}
        errors: ColumnErrors | None = None
        size = len(cells)
        for key, position, parse, memo, outcome, required in self.plan:
            cell = cells[position] if position < size else None
            if cell is None or cell == "":
                # Blank for every parser, so no call: a register file leaves most cells empty.
                if required:
                    errors = errors or {}
                    errors[key] = [self.required_message]
                continue
            if memo is None:
                try:
                    value = parse(cell)
                except ValidationError as exc:
                    errors = errors or {}
                    errors[key] = exc.messages
                    continue
            else:
                found = memo.get(cell) if type(cell) is str else None
                ok, value = found or outcome(cell)
                if not ok:
                    errors = errors or {}
                    errors[key] = list(value)
                    continue
            if value is None or value == "":
                if required:
                    errors = errors or {}
                    errors[key] = [self.required_message]
                continue
            values[key] = value
        return values, errors


def parse_row(kind: Kind, index: dict[str, int], cells: list[Any]) -> dict[str, Any]:
    """Values by column key of one row; raises RowInvalid on unparsable or missing cells."""
    values, errors = RowReader(kind, index).read(cells)
    if errors:
        raise RowInvalid(errors)
    return values


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


def _elsewhere(actor: Any, household: Household) -> RowInvalid:
    errors = {"household_number": [elsewhere_message()]}
    refused = RegisteredElsewhere(errors, Household, [Clash("number", household.pk, visible=False)])
    log_attempt(actor, refused)  # rolled back with a refused import, which logs it again after
    invalid = RowInvalid(errors)
    invalid.__cause__ = refused
    return invalid


def _existing(qs: models.QuerySet, update: bool) -> Any:
    return qs.first() if update else None


def _save(
    kind: Kind,
    actor: Any,
    model: type[models.Model],
    data: dict[str, Any],
    pk: Any,
    default: str,
    *,
    write: bool = True,
) -> Any:
    """save_record, or with write=False its checks alone (`check_record`): the record unsaved."""
    try:
        if not write:
            return check_record(actor, model, data, pk=pk)
        return save_record(actor, model, data, pk=pk)
    except ValidationError as exc:
        raise RowInvalid(_remap(kind, exc, default)) from exc
    except PermissionDenied as exc:
        raise RowInvalid({default: [str(exc)]}) from exc


def _house(
    kind: Kind, actor: Any, building_code: str, unit: int | None, room: str, *, write: bool
) -> tuple[House, bool]:
    """(house, created): the house in a building visible to the actor, made when the building has no
    such room yet (with write=False only checked: an unsaved house)."""
    building = scoped(Building, actor).filter(code=building_code).first()
    if building is None:
        raise _not_found("building_code")
    if not room:
        raise RowInvalid({"room": [_("This field is required.")]})
    unit = unit or 1
    house = House.objects.filter(building=building, unit=unit, room=room).first()
    if house is not None:
        return house, False
    # The floor is the room number without its last two digits (1201 → 12), as rooms are numbered.
    floor = int(room[:-2]) if room.isdigit() and len(room) >= 3 else 1
    data = {"building": building.pk, "unit": unit, "room": room, "floor": floor}
    return _save(kind, actor, House, data, None, "building_code", write=write), True


def _household(
    kind: Kind, actor: Any, values: dict[str, Any], *, write: bool
) -> tuple[Household, House | None]:
    """(household, the house made for it or None) for a household number not yet in the register."""
    data: dict[str, Any] = {"number": values["household_number"]}
    house = None
    if values.get("building_code"):
        house, made = _house(
            kind, actor, values["building_code"], values.get("unit"), values.get("room") or "", write=write
        )
        if house.pk is None:
            # Only checked, so not saved: the household is checked in the house's grid instead.
            data["grid"] = house.grid_id
        else:
            data["house"] = house.pk
        house = house if made else None
    elif values.get("grid"):
        data["grid"] = values["grid"]
    else:
        raise RowInvalid({"grid": [_("A new household needs a house or a grid code.")]})
    # Refused scope is about the place the household would be in: its house or its grid.
    where = "building_code" if values.get("building_code") else "grid"
    return _save(kind, actor, Household, data, None, where, write=write), house


def planned_household_grid(kind: Kind, actor: Any, values: dict[str, Any]) -> str:
    """The grid of the household (and house) a row's new household number would make, by the
    services' own checks; writes nothing. RowInvalid with the errors save_record would give."""
    return _household(kind, actor, values, write=False)[0].grid_id


def create_household(kind: Kind, actor: Any, values: dict[str, Any]) -> tuple[Household, House | None]:
    """The household of a row's new household number, made through the services (its house too,
    when the building has no such room yet): (household, the house made or None)."""
    return _household(kind, actor, values, write=True)


def _person(kind: Kind, actor: Any, values: dict[str, Any], update: bool) -> str:
    data = _data(kind, values)
    number = values.get("household_number")
    if number:
        data.pop("grid", None)  # the household decides the grid
        household = Household.objects.filter(number=number).first()
        if household is None:
            household = create_household(kind, actor, values)[0]
        elif not scoped(Household, actor).filter(pk=household.pk).exists():
            # Held outside the actor's areas: "registered elsewhere", as a clashing code is answered,
            # for "no such record" would tell it apart from an unknown number (which makes one).
            raise _elsewhere(actor, household)
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

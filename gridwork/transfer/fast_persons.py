"""A shortcut for the clean rows of a person import: cells straight to insert parameters.

Parsing a row into a dict of values, copying the defaults into a record dict, deriving and then
checking it with `validate_person_values` costs about 25 microseconds a row in Python; inserting
the row costs about 16. The shortcut does the same work for the common row — a new person with
a resident ID, of a known household or grid, every cell valid — in one generated function,
without intermediate dicts, and gives the insert parameters in the table's column order.

It only ever *accepts*: every test below is as strict as the rule it stands for, or stricter,
and a row that fails any of them (or anything unusual: another ID type, an ID number already in
the register, a new household, a formula-escaped cell, a short row) gets None, and the caller
takes it through the full path (`RowParser` + `PersonBulkImport._check`), which reports the
exact errors. So a row the shortcut accepts is a row the full path would accept, with the same
values; tests compare the two on varied rows.

The rules repeated here, with their originals:
- cells: the same parsers as `fast_rows.RowParser`; a cell of a low-variety column (choices,
  dates, numbers) is parsed and checked once per distinct text and remembered;
- fields: full_clean's field checks by the same `record_rules.plain_condition` as FieldRules (blank, type,
  length, choices); any other kind of field is asked through Django's `field.clean` once per
  distinct value;
- GB 11643 (`core.validators.parse_resident_id`): 17 ASCII digits and a check character, a
  province code, a real birth date from 1880 to today, the MOD 11-2 check character; the sum is
  taken in three parts (region, birth date, sequence) that repeat across rows, so each part is
  remembered; birth date and sex are read from the number when blank and must agree otherwise;
- phone (`core.validators.validate_phone`): a mobile or landline pattern without the spaces and
  brackets the full path would strip first;
- references and scope (`_check`): the household by number (its grid, visible to the actor) or a
  known grid; the grid in the actor's change scope; no living person with the ID number.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from gridwork.core.validators import PROVINCE_CODES
from gridwork.registry import choices as c
from gridwork.registry.record_rules import plain_condition
from gridwork.transfer.columns import Kind, code_text, text

FastRow = Callable[[list[Any]], list[Any] | None]
_MISS = object()

# Bounds of the memos (a hostile file cannot grow the memory).
PART_LIMIT = 100_000
VERDICT_LIMIT = 50_000

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
# A mobile or a landline as `validate_phone` accepts them, with nothing `normalise_phone` removes.
_PHONE = re.compile(r"1[3-9]\d{9}|0\d{2,3}-?\d{7,8}")


def _part_sum(digits: str, weights: tuple[int, ...]) -> int | None:
    if len(digits) != len(weights) or not (digits.isascii() and digits.isdigit()):
        return None
    return sum(int(d) * w for d, w in zip(digits, weights, strict=True))


class IdParts:
    """The three remembered parts of the GB 11643 check of a resident ID number."""

    def __init__(self, today: dt.date, adapt_date: Callable[[Any], Any]) -> None:
        self.today, self.adapt_date = today, adapt_date
        self.regions: dict[str, int] = {}
        self.births: dict[str, tuple[int, dt.date, Any]] = {}
        self.sequences: dict[str, tuple[int, str]] = {}

    def region(self, digits: str) -> int | None:
        total = _part_sum(digits, _WEIGHTS[:6])
        if total is None or digits[:2] not in PROVINCE_CODES:
            return None
        if len(self.regions) < PART_LIMIT:
            self.regions[digits] = total
        return total

    def birth(self, digits: str) -> tuple[int, dt.date, Any] | None:
        total = _part_sum(digits, _WEIGHTS[6:14])
        if total is None:
            return None
        try:
            born = dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
        except ValueError:
            return None
        # The upper bound (today) is tested per row: the memo outlives midnight.
        if born.year < 1880:
            return None
        found = (total, born, self.adapt_date(born))
        if len(self.births) < PART_LIMIT:
            self.births[digits] = found
        return found

    def sequence(self, digits: str) -> tuple[int, str] | None:
        total = _part_sum(digits, _WEIGHTS[14:])
        if total is None:
            return None
        found = (total, "M" if int(digits[2]) % 2 == 1 else "F")
        self.sequences[digits] = found  # at most 1000 keys
        return found


def _verdict(field: models.Field) -> Callable[[Any], bool]:
    """Whether Django's own field check accepts a value, remembered per distinct value."""
    known: dict[Any, bool] = {}

    def accepts(value: Any) -> bool:
        try:
            return known[value]
        except (KeyError, TypeError):
            pass
        try:
            field.clean(value, None)
            ok = True
        except ValidationError:
            ok = False
        try:
            if len(known) < VERDICT_LIMIT:
                known[value] = ok
        except TypeError:
            pass
        return ok

    return accepts


def generate(
    kind: Kind,
    index: dict[str, int],
    outcomes: dict[str, Callable[[Any], tuple[bool, Any]]],
    *,
    fields: list[models.Field],
    editable: list[models.Field],
    defaults: dict[str, Any],
    grids: dict[str, str],
    households: dict[str, tuple[int, str]],
    living: dict[str, int],
    view_codes: tuple[str, ...] | None,
    change_codes: tuple[str, ...] | None,
    adapt_date: Callable[[Any], Any],
    today: dt.date,
) -> FastRow:
    """fast(cells) -> insert parameters in the order of `fields` (updated_at left None), or None."""
    parts = IdParts(today, adapt_date)
    namespace: dict[str, Any] = {
        "date": dt.date,
        "grids": grids,
        "households": households,
        "living": living,
        "VIEW": view_codes,
        "CHANGE": change_codes,
        "TODAY": today,
        "CHECK": _CHECK,
        "MISS": _MISS,
        "regions": parts.regions,
        "births": parts.births,
        "sequences": parts.sequences,
        "region_of": parts.region,
        "birth_of": parts.birth,
        "sequence_of": parts.sequence,
        "phone_ok": _PHONE.fullmatch,
        "RESIDENT": c.IdType.RESIDENT_ID.value,
    }
    editable_by_name = {field.attname: field for field in editable}
    known = set(editable_by_name) | {"grid_id", "household_id", "updated_at"}
    # Birth date and sex may be read from the ID number: checked after that, not from the cell.
    derived = {"birth_date", "sex"}
    conditions: dict[str, Callable[[Any], bool]] = {}
    for number, field in enumerate(editable):
        condition = plain_condition(field, number, namespace)
        if condition is None:
            namespace[f"accepts{number}"] = _verdict(field)
            condition = f"accepts{number}(value)"
        namespace[f"CONDITION_{field.attname}"] = condition
        conditions[field.attname] = eval(f"lambda value: {condition}", namespace)  # noqa: S307
    lines = ["def fast(cells):"]
    usable = (
        {"name", "id_number"} <= index.keys()
        and {f.attname for f in fields} <= known
        and {"id_type", "id_number", "sex", "birth_date", "phone"} <= editable_by_name.keys()
    )
    if not usable:
        lines.append("    return None")
    lines += [f"    if len(cells) <= {max(index.values(), default=0)}:", "        return None"]
    by_column = {
        column.key: column.field for column in kind.columns if column.field and column.field != "grid"
    }
    final: dict[str, str] = {}  # field attname -> the local holding its value
    used = {"grid", "household_number"}  # references the shortcut reads itself
    # 1. The cells, as RowParser parses them (any cell it would refuse: None), with the field's
    #    check: a low-variety column (choices, dates, numbers) checks each distinct cell once.
    for number, column in enumerate(kind.columns):
        name = f"v{number}"
        position = index.get(column.key)
        if position is None:
            continue
        attname = by_column.get(column.key, "")
        field_check = attname in conditions and attname not in derived
        default = defaults.get(attname)
        lines.append(f"    cell = cells[{position}]")
        if column.to_python in (text, code_text) and not attname and column.key not in used:
            # A reference only the full path reads (building, room): text never fails to parse.
            namespace[f"outcome{number}"] = outcomes[column.key]
            lines += [
                "    if type(cell) is not str:",
                f"        if not outcome{number}(cell)[0]:",
                "            return None",
            ]
            if column.required:
                lines += ["    elif not cell.strip():", "        return None"]
        elif column.to_python in (text, code_text):
            namespace[f"outcome{number}"] = outcomes[column.key]
            shortcut = "cell.strip().upper()" if column.to_python is code_text else "cell.strip()"
            lines += ["    if type(cell) is str:", f"        {name} = {shortcut}"]
            if column.to_python is text:
                # A formula-escaped cell: RowParser unescapes it; the full path does that.
                lines += [f'        if {name}[:1] == "\'":', "            return None"]
            lines += [
                "    else:",
                f"        found = outcome{number}(cell)",
                "        if not found[0]:",
                "            return None",
                f"        {name} = found[1]",
            ]
            if column.required:
                lines += [f"    if not {name}:", "        return None"]
            if attname:
                final[attname] = name
                lines += [f"    if not {name}:", f"        {name} = DEFAULT_{attname}"]
                namespace[f"DEFAULT_{attname}"] = default
                if field_check:
                    lines += [
                        f"    value = {name}",
                        f"    if not ({namespace[f'CONDITION_{attname}']}):",
                        "        return None",
                    ]
        else:
            namespace[f"checked{number}"] = checked = {}
            namespace[f"learn{number}"] = _learner(
                outcomes[column.key],
                checked,
                required=column.required,
                default=default if attname else None,
                condition=conditions[attname] if field_check else None,
            )
            lines += [
                f"    {name} = checked{number}.get(cell, MISS) if type(cell) is str else MISS",
                f"    if {name} is MISS:",
                f"        {name} = learn{number}(cell)",
                f"        if {name} is MISS:",
                "            return None",
            ]
            if attname:
                final[attname] = name
    # 2. Fields without a column keep their default: it must pass, or no row takes the shortcut.
    for attname, field_value in defaults.items():
        if attname in final or attname not in conditions:
            continue
        namespace[f"DEFAULT_{attname}"] = field_value
        final[attname] = f"f_{attname}"
        lines.append(f"    f_{attname} = DEFAULT_{attname}")
        if attname not in derived and not conditions[attname](field_value):
            lines.insert(1, "    return None")
    sex, born = final["sex"], final["birth_date"]
    # 3. The resident ID: the check character from the remembered parts; birth date and sex.
    lines += [
        f"    if {final['id_type']} != RESIDENT:",
        "        return None",
        f"    n = {final['id_number']}",
        "    if len(n) != 18:",
        "        return None",
        "    region = regions.get(n[:6])",
        "    if region is None:",
        "        region = region_of(n[:6])",
        "        if region is None:",
        "            return None",
        "    birth = births.get(n[6:14])",
        "    if birth is None:",
        "        birth = birth_of(n[6:14])",
        "        if birth is None:",
        "            return None",
        "    if birth[1] > TODAY:",
        "        return None",
        "    sequence = sequences.get(n[14:17])",
        "    if sequence is None:",
        "        sequence = sequence_of(n[14:17])",
        "        if sequence is None:",
        "            return None",
        "    if CHECK[(region + birth[0] + sequence[0]) % 11] != n[17]:",
        "        return None",
        f"    if {born} and {born} != birth[1]:",
        "        return None",
        f"    if not {sex}:",
        f"        {sex} = sequence[1]",
        f"    elif {sex} != sequence[1]:",
        "        return None",
        f"    value = {sex}",
        f"    if not ({namespace['CONDITION_sex']}):",
        "        return None",
        "    value = birth[1]",
        f"    if not ({namespace['CONDITION_birth_date']}):",
        "        return None",
        f"    if {final['phone']} and not phone_ok({final['phone']}):",
        "        return None",
    ]
    # 4. References and scope, as _check: the household decides the grid, else the grid column.
    household = f"v{_position(kind, 'household_number')}" if "household_number" in index else "None"
    grid = f"v{_position(kind, 'grid')}" if "grid" in index else "None"
    lines += [
        f"    if {household}:",
        f"        found = households.get({household})",
        "        if found is None:",
        "            return None",
        "        household_id, grid = found",
    ]
    if view_codes is not None:
        lines += ["        if not grid.startswith(VIEW):", "            return None"]
    lines += [
        "    else:",
        f"        grid = {grid}",
        "        if not grid or grid not in grids:",
        "            return None",
        "        household_id = None",
    ]
    if change_codes is not None:
        lines += ["    if not grid.startswith(CHANGE):", "        return None"]
    lines += ["    if n in living:", "        return None"]
    # 5. The insert parameters (the birth date as the driver takes it, remembered with the date).
    items = []
    for field in fields:
        if field.attname == "birth_date":
            items.append("birth[2]")
        elif field.attname in final:
            items.append(final[field.attname])
        elif field.attname == "grid_id":
            items.append("grid")
        elif field.attname == "household_id":
            items.append("household_id")
        else:
            items.append("None")  # updated_at: set by the write
    lines.append(f"    return [{', '.join(items)}]")
    exec(compile("\n".join(lines), f"<fast rows of {kind.name}>", "exec"), namespace)  # noqa: S102
    return namespace["fast"]


def _position(kind: Kind, key: str) -> int:
    return next(n for n, column in enumerate(kind.columns) if column.key == key)


def _learner(
    outcome: Callable[[Any], tuple[bool, Any]],
    checked: dict[str, Any],
    *,
    required: bool,
    default: Any,
    condition: Callable[[Any], bool] | None,
) -> Callable[[Any], Any]:
    """The field value of a cell that parses and passes the field's check (blank: the default)."""

    def learn(cell: Any) -> Any:
        ok, value = outcome(cell)
        if not ok:
            return _MISS
        blank = value is None or value == ""
        if blank and required:
            return _MISS
        if blank:
            value = default
        if condition is not None and not condition(value):
            return _MISS
        if type(cell) is str and len(checked) < VERDICT_LIMIT:
            checked[cell] = value
        return value

    return learn

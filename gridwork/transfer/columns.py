"""The spreadsheet columns of each kind of register import and export: one specification for both.

A kind is an ordered list of `Column`s. Each column has its header in Chinese and English (the
importer matches either, ignoring case and spaces), a note for the template's notes row, whether
it is required, a parser (`to_python`: cell → value, raising ValidationError with a translated
message) and a reader (`from_record`: record → cell, for export). `row_for(kind, record)` gives a
whole export row, so an export imports back unchanged.

Where a column's `field` is set, its parsed value goes straight into the data dict taken by
`gridwork.registry.services.save_record`. Columns without `field` are references the importer
resolves itself (household number, building code + unit + room, credit code of a property company,
ID number of a person, key-group code) — see `gridwork.transfer.rows`.

Kinds:
- persons       one person a row, with household number and house (building code, unit, room).
                A household number not yet in the register creates the household (in that house,
                or in the grid given); a house not yet in the building is created too.
- buildings     one building a row; its grid follows from its point (the grid column is a fallback).
- houses        one house a row, in an existing building: kept as its own kind, since a building
                has many houses and a spreadsheet of both in one sheet repeats every building.
- organizations one organisation a row, matched by unified social credit code when updating.
- objects       one public facility (部件) a row, matched by object code.
- tags          one key-people tag a row: the person's ID number and the key-group code.

The cell parsers (`to_python`) are in `gridwork.transfer.cells`.

Choice columns hold the stored code (e.g. "head", "owner"); the Chinese or English label is
accepted on import as well. Export writes the code, so a file means the same in either language.
"""

from __future__ import annotations

import decimal
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from gridwork.core.language import pick
from gridwork.registry import choices as c
from gridwork.registry.models import (
    Building,
    FacilityObject,
    House,
    Organization,
    Person,
    PersonTag,
)
from gridwork.transfer.cells import choice, code_text, date, dec, integer, normal_header, number, text

# The first cell of the template's notes row starts with this; the importer skips such rows.
NOTES_MARK = "#"


# --- columns ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    header_zh: str
    header_en: str
    note_zh: str = ""
    note_en: str = ""
    required: bool = False
    to_python: Callable[[Any], Any] = text
    from_record: Callable[[Any], Any] | None = None
    # The save_record field this column fills; "" when the importer resolves a reference.
    field: str = ""
    # An ID number or phone: masked in error reports.
    personal: bool = False

    def header(self, language: str) -> str:
        return pick(self.header_zh, self.header_en, language or "")

    def note(self, language: str) -> str:
        return pick(self.note_zh, self.note_en, language or "")


def _attr(path: str) -> Callable[[Any], Any]:
    """Reads a dotted attribute path of a record; None anywhere along it gives ''."""

    def read(record: Any) -> Any:
        value = record
        for part in path.split("."):
            value = getattr(value, part, None)
            if value is None:
                return ""
        if isinstance(value, decimal.Decimal):
            return str(value)
        return value

    return read


def _col(key: str, zh: str, en: str, *, field_name: str | None = None, **kwargs: Any) -> Column:
    """A column that maps to the model field of the same name unless told otherwise."""
    target = key if field_name is None else field_name
    kwargs.setdefault("from_record", _attr(target or key))
    return Column(key, zh, en, field=target, **kwargs)


def _values(choices: type[models.Choices]) -> str:
    return "/".join(str(v) for v in choices.values)


GRID_NOTE_ZH, GRID_NOTE_EN = "15位网格编码", "15-digit grid code"
POINT_NOTE_ZH, POINT_NOTE_EN = "WGS-84 经度/纬度，网格由坐标确定", "WGS-84; the grid follows from the point"

PERSONS: list[Column] = [
    _col(
        "grid",
        "网格编码",
        "grid code",
        note_zh="新户必填（或填房屋）",
        note_en="needed for a new household without a house",
        to_python=code_text,
    ),
    _col(
        "household_number",
        "户号",
        "household number",
        field_name="",
        required=False,
        note_zh="新户号将新建户",
        note_en="a new number creates the household",
        to_python=code_text,
        from_record=_attr("household.number"),
    ),
    _col(
        "building_code",
        "楼栋编码",
        "building code",
        field_name="",
        to_python=code_text,
        note_zh="户所在房屋",
        note_en="the household's house",
        from_record=_attr("household.house.building.code"),
    ),
    _col("unit", "单元", "unit", field_name="", to_python=integer, from_record=_attr("household.house.unit")),
    _col("room", "房号", "room", field_name="", to_python=text, from_record=_attr("household.house.room")),
    _col(
        "relation",
        "与户主关系",
        "relation to head",
        to_python=choice(c.Relation),
        note_zh=_values(c.Relation),
        note_en=_values(c.Relation),
    ),
    _col("name", "姓名", "name", required=True),
    _col(
        "id_type",
        "证件类型",
        "ID document",
        to_python=choice(c.IdType),
        note_zh="默认 resident_id",
        note_en="default resident_id",
    ),
    _col(
        "id_number",
        "证件号码",
        "ID number",
        required=True,
        to_python=code_text,
        personal=True,
        note_zh="身份证号请设为文本格式",
        note_en="format the column as text",
    ),
    _col(
        "sex",
        "性别",
        "sex",
        to_python=choice(c.Sex),
        note_zh="M/F，可由身份证号推出",
        note_en="M/F; read from the ID number when blank",
    ),
    _col("birth_date", "出生日期", "birth date", to_python=date, note_zh="YYYY-MM-DD", note_en="YYYY-MM-DD"),
    _col("ethnicity", "民族", "ethnicity"),
    _col("phone", "联系电话", "phone", personal=True),
    _col(
        "residence_type",
        "居住类型",
        "residence type",
        to_python=choice(c.ResidenceType),
        note_zh=_values(c.ResidenceType),
        note_en=_values(c.ResidenceType),
    ),
    _col(
        "status",
        "状态",
        "status",
        to_python=choice(c.PersonStatus),
        note_zh=_values(c.PersonStatus),
        note_en=_values(c.PersonStatus),
    ),
    _col(
        "political_status",
        "政治面貌",
        "political status",
        to_python=choice(c.PoliticalStatus),
        note_zh=_values(c.PoliticalStatus),
        note_en=_values(c.PoliticalStatus),
    ),
    _col(
        "education",
        "文化程度",
        "education",
        to_python=choice(c.Education),
        note_zh=_values(c.Education),
        note_en=_values(c.Education),
    ),
    _col("work", "工作单位/职业", "work"),
    _col("notes", "备注", "notes"),
]

BUILDINGS: list[Column] = [
    _col(
        "code",
        "楼栋编码",
        "building code",
        required=True,
        to_python=code_text,
        note_zh="唯一，更新时据此匹配",
        note_en="unique; matched on update",
    ),
    _col(
        "grid",
        "网格编码",
        "grid code",
        to_python=code_text,
        note_zh="坐标不在任何网格时使用",
        note_en="used when the point lies in no grid",
    ),
    _col("estate", "小区", "estate"),
    _col("number", "楼号", "building number", required=True),
    _col("address", "地址", "address", required=True),
    _col(
        "lon",
        "经度",
        "longitude",
        required=True,
        to_python=number,
        note_zh=POINT_NOTE_ZH,
        note_en=POINT_NOTE_EN,
    ),
    _col("lat", "纬度", "latitude", required=True, to_python=number),
    _col("floors", "层数", "floors", to_python=integer),
    _col("units", "单元数", "units", to_python=integer),
    _col(
        "property_company_credit_code",
        "物业公司信用代码",
        "property company credit code",
        field_name="",
        to_python=code_text,
        from_record=_attr("property_company.credit_code"),
    ),
]

HOUSES: list[Column] = [
    _col(
        "building_code",
        "楼栋编码",
        "building code",
        field_name="",
        required=True,
        to_python=code_text,
        from_record=_attr("building.code"),
        note_zh="已登记的楼栋",
        note_en="a registered building",
    ),
    _col("unit", "单元", "unit", required=True, to_python=integer),
    _col("floor", "楼层", "floor", required=True, to_python=integer),
    _col(
        "room",
        "房号",
        "room",
        required=True,
        note_zh="楼栋+单元+房号唯一",
        note_en="unique in building and unit",
    ),
    _col("floor_area", "面积(㎡)", "floor area (m²)", to_python=dec),
    _col(
        "use",
        "用途",
        "use",
        to_python=choice(c.HouseUse),
        note_zh=_values(c.HouseUse),
        note_en=_values(c.HouseUse),
    ),
    _col(
        "owner_id_number",
        "产权人证件号码",
        "owner ID number",
        field_name="",
        to_python=code_text,
        personal=True,
        from_record=_attr("owner.id_number"),
    ),
]

ORGANIZATIONS: list[Column] = [
    _col(
        "credit_code",
        "统一社会信用代码",
        "credit code",
        to_python=code_text,
        note_zh="18位，更新时据此匹配",
        note_en="18 characters; matched on update",
    ),
    _col("name", "名称", "name", required=True),
    _col(
        "kind",
        "类型",
        "kind",
        required=True,
        to_python=choice(c.OrgKind),
        note_zh=_values(c.OrgKind),
        note_en=_values(c.OrgKind),
    ),
    _col(
        "grid",
        "网格编码",
        "grid code",
        to_python=code_text,
        note_zh="无坐标时必填",
        note_en="needed without a point",
    ),
    _col("address", "地址", "address"),
    _col("contact_name", "联系人", "contact"),
    _col("contact_phone", "联系电话", "contact phone", personal=True),
    _col("lon", "经度", "longitude", to_python=number, note_zh=POINT_NOTE_ZH, note_en=POINT_NOTE_EN),
    _col("lat", "纬度", "latitude", to_python=number),
    _col("employees", "从业人数", "employees", to_python=integer),
]

OBJECTS: list[Column] = [
    _col(
        "code",
        "部件编码",
        "object code",
        required=True,
        to_python=code_text,
        note_zh="唯一，更新时据此匹配",
        note_en="unique; matched on update",
    ),
    _col(
        "object_class",
        "大类",
        "class",
        required=True,
        to_python=choice(c.ObjectClass),
        note_zh="CJ/T 214: " + _values(c.ObjectClass),
        note_en="CJ/T 214: " + _values(c.ObjectClass),
    ),
    _col("subclass", "小类", "subclass", required=True),
    _col("name", "名称", "name"),
    _col(
        "grid",
        "网格编码",
        "grid code",
        to_python=code_text,
        note_zh="坐标不在任何网格时使用",
        note_en="used when the point lies in no grid",
    ),
    _col(
        "lon",
        "经度",
        "longitude",
        required=True,
        to_python=number,
        note_zh=POINT_NOTE_ZH,
        note_en=POINT_NOTE_EN,
    ),
    _col("lat", "纬度", "latitude", required=True, to_python=number),
    _col("owner_department", "权属单位", "owner department"),
    _col(
        "state",
        "状态",
        "state",
        to_python=choice(c.ObjectState),
        note_zh=_values(c.ObjectState),
        note_en=_values(c.ObjectState),
    ),
]

TAGS: list[Column] = [
    _col(
        "id_number",
        "证件号码",
        "ID number",
        field_name="",
        required=True,
        to_python=code_text,
        personal=True,
        from_record=_attr("person.id_number"),
        note_zh="已登记的人员",
        note_en="a registered person",
    ),
    _col(
        "group_code",
        "重点人群代码",
        "key group code",
        field_name="",
        required=True,
        to_python=text,
        from_record=_attr("group.code"),
        note_zh="如 elderly_alone",
        note_en="e.g. elderly_alone",
    ),
    _col(
        "since",
        "起始日期",
        "since",
        required=True,
        to_python=date,
        note_zh="YYYY-MM-DD",
        note_en="YYYY-MM-DD",
    ),
    _col("until", "结束日期", "until", to_python=date),
    _col(
        "risk_level",
        "风险等级",
        "risk level",
        to_python=choice(c.RiskLevel),
        note_zh=_values(c.RiskLevel),
        note_en=_values(c.RiskLevel),
    ),
    _col("details", "详情", "details"),
]


@dataclass(frozen=True)
class Kind:
    name: str
    model: type[models.Model]
    columns: list[Column]
    label_zh: str
    label_en: str
    # The column that identifies an existing record in update mode ("" = never matched).
    match_key: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def label(self, language: str) -> str:
        return pick(self.label_zh, self.label_en, language or "")

    def headers(self, language: str) -> list[str]:
        return [column.header(language) for column in self.columns]

    def notes(self, language: str) -> list[str]:
        notes = [("* " if col.required else "") + col.note(language) for col in self.columns]
        notes[0] = NOTES_MARK + " " + notes[0]
        return notes


KINDS: dict[str, Kind] = {
    "persons": Kind("persons", Person, PERSONS, "人员", "persons", match_key="id_number"),
    "buildings": Kind("buildings", Building, BUILDINGS, "楼栋", "buildings", match_key="code"),
    "houses": Kind("houses", House, HOUSES, "房屋", "houses"),
    "organizations": Kind(
        "organizations", Organization, ORGANIZATIONS, "组织", "organisations", match_key="credit_code"
    ),
    "objects": Kind("objects", FacilityObject, OBJECTS, "部件", "objects", match_key="code"),
    "tags": Kind("tags", PersonTag, TAGS, "重点人员标签", "key-people tags"),
}


def get_kind(name: str) -> Kind:
    """The kind by name; a ValidationError (not KeyError) for an unknown one."""
    try:
        return KINDS[name]
    except KeyError as exc:
        raise ValidationError(
            _("Unknown kind of import: %(kind)s. Use one of: %(kinds)s.")
            % {"kind": name, "kinds": ", ".join(KINDS)}
        ) from exc


def row_for(kind: str | Kind, record: models.Model) -> list[Any]:
    """An export row of the record, in column order: imports back to the same record."""
    spec = kind if isinstance(kind, Kind) else get_kind(kind)
    row = []
    for column in spec.columns:
        value = column.from_record(record) if column.from_record else ""
        if column.key == "grid":
            value = getattr(record, "grid_id", "") or ""
        row.append(value)
    return row


def header_index(kind: Kind, header_row: list[Any]) -> dict[str, int]:
    """Column key → position in the file, matching either language's header; unknown headers are ignored."""
    by_text: dict[str, str] = {}
    for column in kind.columns:
        by_text[normal_header(column.header_zh)] = column.key
        by_text[normal_header(column.header_en)] = column.key
        by_text[normal_header(column.key)] = column.key
    index: dict[str, int] = {}
    for position, cell in enumerate(header_row):
        key = by_text.get(normal_header(text(cell)).lstrip("*"))
        if key and key not in index:
            index[key] = position
    return index

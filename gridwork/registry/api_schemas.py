"""Shapes of the register over the API. ID numbers and phones only ever leave masked here;
the full values come from the audited reveal endpoint alone."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from ninja import Field, Schema

from gridwork.core.bounds import MAX_SMALL, InputSchema, RecordId
from gridwork.core.masking import age_on
from gridwork.registry.models import Household, Person, PersonTag


class GridRecordOut(Schema):
    id: int
    grid: str

    @staticmethod
    def resolve_grid(obj: Any) -> str:
        return obj.grid_id


class BuildingOut(GridRecordOut):
    code: str
    estate: str
    number: str
    address: str
    lon: float
    lat: float
    floors: int
    units: int
    property_company_id: int | None
    head_id: int | None


class HouseOut(GridRecordOut):
    building_id: int
    unit: int
    floor: int
    room: str
    floor_area: float | None
    use: str
    owner_id: int | None


class TagOut(Schema):
    group: str
    group_name: str
    kind: str
    since: dt.date
    until: dt.date | None
    risk_level: str

    @staticmethod
    def resolve_group(obj: PersonTag) -> str:
        return obj.group.code

    @staticmethod
    def resolve_group_name(obj: PersonTag) -> str:
        return obj.group.label

    @staticmethod
    def resolve_kind(obj: PersonTag) -> str:
        return obj.group.kind


class _Aged(Schema):
    """The birth year and age, never the birth date: with the region code and the last four shown
    by the mask, a full birth date would rebuild the ID number."""

    birth_year: int | None
    age: int | None

    @staticmethod
    def resolve_birth_year(obj: Person) -> int | None:
        return obj.birth_date.year if obj.birth_date else None

    @staticmethod
    def resolve_age(obj: Person) -> int | None:
        return age_on(obj.birth_date, timezone.localdate())


class MemberOut(_Aged):
    id: int
    name: str
    relation: str
    sex: str
    id_number_masked: str
    phone_masked: str
    status: str


class PersonOut(GridRecordOut, _Aged):
    household_id: int | None
    relation: str
    name: str
    id_type: str
    id_number_masked: str
    sex: str
    ethnicity: str
    phone_masked: str
    residence_type: str
    status: str
    political_status: str
    education: str
    work: str
    updated_at: dt.datetime
    tags: list[TagOut] = Field(description="key-people tags; sensitive groups only through reveal")

    @staticmethod
    def resolve_tags(obj: Person) -> list[PersonTag]:
        # Filled by the view's prefetch with the non-sensitive tags only.
        return obj.shown_tags


class PersonDetailOut(PersonOut):
    notes: str


class HouseholdOut(GridRecordOut):
    number: str
    house_id: int | None
    head_id: int | None
    head_name: str | None

    @staticmethod
    def resolve_head_name(obj: Household) -> str | None:
        return obj.head.name if obj.head_id else None


class HouseholdDetailOut(HouseholdOut):
    members: list[MemberOut]

    @staticmethod
    def resolve_members(obj: Household) -> list[Person]:
        return obj.visible_members


class OrganizationOut(GridRecordOut):
    name: str
    kind: str
    credit_code: str | None
    address: str
    contact_name: str
    contact_phone_masked: str
    lon: float | None
    lat: float | None
    employees: int | None


class FacilityObjectOut(GridRecordOut):
    code: str
    object_class: str
    subclass: str
    name: str
    lon: float
    lat: float
    owner_department: str
    state: str


class KeyGroupOut(Schema):
    code: str
    name: str
    name_en: str
    kind: str
    sensitivity: int
    visit_interval_days: int


class RevealIn(InputSchema):
    reason: str = Field(max_length=300, description="why the full data is needed; written to the audit log")


class RevealOut(Schema):
    id_number: str
    phone: str
    birth_date: dt.date | None
    tags: list[str] = Field(description="codes of all the person's key groups, sensitive ones included")


# Writes: fields map one to one onto registry.services.EDITABLE; references are ids (grid: code).
# Only what a record cannot be without is required here; the service checks the rest and
# reports every problem at once, by field.


class PersonIn(InputSchema):
    name: str
    id_number: str
    # Typed without None: null would mean nothing for these (send "" to leave a text empty).
    id_type: str = None
    grid: str = None
    household: RecordId | None = None
    relation: str = None
    sex: str = Field(None, description="M or F; taken from a resident ID when left out")
    birth_date: dt.date | None = Field(None, description="taken from a resident ID when left out")
    ethnicity: str = None
    phone: str = None
    residence_type: str = None
    status: str = None
    political_status: str = None
    education: str = None
    work: str = None
    notes: str = None


class PersonPatch(InputSchema):
    """Only the fields sent change. null is refused where the record cannot hold it (a name, a
    status); it is taken only where it clears a reference or a date (household, birth date)."""

    name: str = None
    id_number: str = None
    id_type: str = None
    grid: str = None
    household: RecordId | None = None
    relation: str = None
    sex: str = None
    birth_date: dt.date | None = None
    ethnicity: str = None
    phone: str = None
    residence_type: str = None
    status: str = None
    political_status: str = None
    education: str = None
    work: str = None
    notes: str = None


class BuildingIn(InputSchema):
    code: str
    number: str
    address: str
    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)
    estate: str = None
    floors: int = Field(None, ge=1, le=MAX_SMALL)
    units: int = Field(None, ge=1, le=MAX_SMALL)
    property_company: RecordId | None = None
    head: RecordId | None = None
    grid: str = Field(None, description="taken from the grid containing the point when it lies in one")


class HouseholdIn(InputSchema):
    number: str
    house: RecordId | None = None
    head: RecordId | None = None
    grid: str = Field(None, description="taken from the house when one is given")


class GroupCountOut(Schema):
    code: str
    name: str
    kind: str
    sensitivity: int
    count: int


class AreaStatsOut(Schema):
    area: str
    households: int
    people: int
    party_members: int
    groups: list[GroupCountOut]

"""The round trip: the `district` register exported unmasked, the register emptied (areas and users
kept), the files imported back, and the register compared field by field (by natural keys, since
primary keys are new)."""

from __future__ import annotations

import datetime as dt
import io
import random
from decimal import Decimal
from typing import Any

import pytest

from gridwork.conftest import GRID_A1, GRID_B1, District
from gridwork.core.system import SYSTEM
from gridwork.demo.codes import CreditCodes
from gridwork.registry import services as registry
from gridwork.registry.models import (
    Building,
    FacilityObject,
    House,
    Household,
    Organization,
    Person,
    PersonTag,
)
from gridwork.transfer import services as importer
from gridwork.transfer.exports import csv_chunks, start_export, write_xlsx
from gridwork.transfer.models import ImportJob

DISTRICT = "110112"
ORDER = ["organizations", "buildings", "houses", "persons", "tags", "objects"]
# In the order an import needs them: what a row refers to comes first. Houses and people refer to
# each other (a household lives in a house, a house has an owner), so the people go in first,
# creating their households' houses, and the houses file then completes them in update mode.
IMPORTS = [
    ("organizations", ImportJob.Mode.ALL_OR_NOTHING),
    ("buildings", ImportJob.Mode.ALL_OR_NOTHING),
    ("persons", ImportJob.Mode.ALL_OR_NOTHING),
    ("houses", ImportJob.Mode.UPDATE),
    ("tags", ImportJob.Mode.ALL_OR_NOTHING),
    ("objects", ImportJob.Mode.ALL_OR_NOTHING),
]


def register() -> dict[str, list[tuple[Any, ...]]]:
    """The whole register by natural keys: what must survive the round trip."""

    def rows(qs: Any, *fields: str) -> list[tuple[Any, ...]]:
        # Spreadsheets keep 15 significant digits, so coordinates compare to 1e-9 degrees (0.1 mm).
        return sorted(
            (
                tuple(round(v, 9) if isinstance(v, float) else v for v in row)
                for row in qs.values_list(*fields)
            ),
            key=repr,
        )

    return {
        "organizations": rows(
            Organization.objects,
            "grid_id",
            "name",
            "kind",
            "credit_code",
            "address",
            "contact_name",
            "contact_phone",
            "lon",
            "lat",
            "employees",
        ),
        "buildings": rows(
            Building.objects,
            "code",
            "grid_id",
            "estate",
            "number",
            "address",
            "lon",
            "lat",
            "floors",
            "units",
            "property_company__credit_code",
        ),
        "houses": rows(
            House.objects,
            "building__code",
            "grid_id",
            "unit",
            "floor",
            "room",
            "floor_area",
            "use",
            "owner__id_number",
        ),
        "households": rows(
            Household.objects,
            "number",
            "grid_id",
            "house__building__code",
            "house__unit",
            "house__room",
            "head__id_number",
        ),
        "persons": rows(
            Person.objects,
            "id_number",
            "grid_id",
            "household__number",
            "relation",
            "name",
            "id_type",
            "sex",
            "birth_date",
            "ethnicity",
            "phone",
            "residence_type",
            "status",
            "political_status",
            "education",
            "work",
            "notes",
        ),
        "tags": rows(
            PersonTag.objects,
            "person__id_number",
            "group__code",
            "grid_id",
            "since",
            "until",
            "risk_level",
            "details",
        ),
        "objects": rows(
            FacilityObject.objects,
            "code",
            "grid_id",
            "object_class",
            "subclass",
            "name",
            "lon",
            "lat",
            "owner_department",
            "state",
        ),
    }


def enrich(d: District) -> None:
    """Fill the fields the fixture leaves blank, so the comparison covers them."""
    codes = CreditCodes(DISTRICT)
    rng = random.Random(3)  # noqa: S311 (synthetic codes)
    for org in d.orgs.values():
        registry.save_record(
            SYSTEM, Organization, {"credit_code": codes.make(rng, "property"), "employees": 12}, pk=org.pk
        )
    registry.save_record(
        SYSTEM,
        House,
        {"owner": d.people[GRID_A1].pk, "floor_area": Decimal("88.50"), "use": "rented"},
        pk=d.houses[GRID_A1].pk,
    )
    registry.save_record(
        SYSTEM,
        Person,
        {
            "household": d.households[GRID_A1].pk,
            "relation": "spouse",
            "name": "配偶甲",
            "id_type": "passport",
            "id_number": "E12345678",
            "sex": "F",
            "birth_date": dt.date(1962, 7, 1),
            "education": "college",
            "work": "教师",
            "notes": "第二行\n备注",
            "residence_type": "foreign",
        },
    )
    registry.save_record(
        SYSTEM,
        FacilityObject,
        {"name": "东门井盖", "owner_department": "水务", "state": "damaged"},
        pk=d.objects[GRID_B1].pk,
    )


def export_all(user: Any, fmt: str) -> dict[str, bytes]:
    files = {}
    for kind in ORDER:
        export = start_export(user, kind, DISTRICT, fmt, reveal_reason="往返测试")
        if fmt == "csv":
            files[kind] = b"".join(csv_chunks(export))
        else:
            with write_xlsx(export) as handle:
                files[kind] = handle.read()
    return files


def empty_register() -> None:
    # Areas, boundaries, users and roles stay; every register row goes.
    PersonTag.objects.all().delete()
    Person.objects.all().delete()
    Household.objects.all().delete()
    House.objects.all().delete()
    Building.objects.all().delete()
    Organization.objects.all().delete()
    FacilityObject.objects.all().delete()


def import_all(files: dict[str, bytes], fmt: str) -> None:
    for kind, mode in IMPORTS:
        job = importer.start_import(SYSTEM, kind, io.BytesIO(files[kind]), f"{kind}.{fmt}", mode)
        job.refresh_from_db()
        assert job.status == ImportJob.Status.DONE and job.errors_count == 0, (kind, job.message)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_then_import_gives_the_same_register(district: District, fmt: str) -> None:
    enrich(district)
    before = register()
    assert all(before.values())
    files = export_all(district.users["district"], fmt)
    empty_register()
    assert not any(register().values())
    import_all(files, fmt)
    after = register()
    for kind in before:
        assert after[kind] == before[kind], kind


def test_formula_like_text_survives_the_round_trip(district: District) -> None:
    person = district.people[GRID_A1]
    registry.save_record(SYSTEM, Person, {"notes": "=1+1", "work": "-"}, pk=person.pk)
    files = export_all(district.users["district"], "csv")
    empty_register()
    import_all(files, "csv")
    assert Person.objects.filter(id_number=person.id_number).values_list("notes", "work").get() == (
        "=1+1",
        "-",
    )


def test_the_demo_district_survives_the_round_trip(db: Any) -> None:
    from gridwork.accounts.models import User
    from gridwork.demo.builder import build_demo

    build_demo(0.0005, seed=11, history=False)
    before = register()
    assert all(before.values())
    files = export_all(User.objects.get(username="demo_district"), "csv")
    empty_register()
    import_all(files, "csv")
    after = register()
    for kind in before:
        assert after[kind] == before[kind], kind

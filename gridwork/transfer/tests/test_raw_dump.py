"""No plaintext ID number or phone in a raw dump of the database (issue 12, Must show).

A small register is made through the services and an import (people, an organisation, a user, a
resident's case, an update that writes history), then the database is dumped as an attacker
with the file or the server's dump would see it: SQLite by sqlite3's iterdump(), PostgreSQL by
pg_dump. Not one of the synthetic ID numbers or phones may appear in it, in any table (the
register, the audit log, record history, import jobs)."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess

import pytest
from django.db import connection

from gridwork.accounts import services as accounts
from gridwork.areas.models import Area
from gridwork.cases import services as cases
from gridwork.cases.models import Case
from gridwork.cases.tests.helpers import report
from gridwork.conftest import GRID_A1, District
from gridwork.core.backups.engines import _pg_environment
from gridwork.core.system import SYSTEM
from gridwork.fieldwork import visit_services as visits
from gridwork.registry import services as registry
from gridwork.registry.models import Person
from gridwork.transfer.tests.conftest import run
from gridwork.transfer.tests.helpers import csv_bytes, person_row

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

USER_PHONE = "13655501234"
REPORTER_PHONE = "13766602345"
NEW_PHONE = "13877703456"
TYPED_PHONE = "13988804567"


def build_register(district: District) -> list[str]:
    """The secrets written, to look for in the dump."""
    rows = [person_row(900 + n, f"HDUMP{n // 2}", grid=GRID_A1, phone=f"1590000{n:04d}") for n in range(6)]
    job = run(district.users["worker_a1"], "persons", csv_bytes("persons", rows))
    assert job.written, job.message
    person = Person.objects.get(id_number=rows[0]["id_number"])
    registry.save_record(SYSTEM, Person, {"phone": NEW_PHONE}, pk=person.pk)  # history of a phone change
    accounts.create_user(SYSTEM, "dumped", "x" * 20, phone=USER_PHONE, check_password=False)
    report(district, None, source="resident", reporter_name="王五", reporter_phone=REPORTER_PHONE)
    # Numbers typed into free text: a case's title and description, a person's notes, a memo, and
    # the case's note (its history and notification carry the title too).
    typed_id, typed_phone = rows[1]["id_number"], "138 0013 8000"
    case = report(
        district,
        "worker_a1",
        category="E0101",
        title=f"住户{typed_id}反映",
        description=f"联系 {typed_phone} 或 {TYPED_PHONE}",
    )
    cases.act(district.users["worker_a1"], case.pk, "resolve", note=f"已电话 {TYPED_PHONE} 回访")
    registry.save_record(SYSTEM, Person, {"notes": f"其子电话{TYPED_PHONE}"}, pk=person.pk)
    visits.write_memo(district.users["worker_a1"], text=f"{typed_id} 家中漏水", person_id=person.pk)
    secrets = [USER_PHONE, REPORTER_PHONE, NEW_PHONE, TYPED_PHONE, typed_phone, "13800138000"]
    secrets += [r["id_number"] for r in rows] + [r["phone"] for r in rows]
    secrets += [p.id_number for p in district.people.values()] + [p.phone for p in district.people.values()]
    secrets.append("13800000000")  # the organisations' contact phone
    return secrets


def sqlite_dump() -> str:
    name = connection.settings_dict["NAME"]
    if connection.is_in_memory_db():
        connection.ensure_connection()
        return "\n".join(connection.connection.iterdump())
    with sqlite3.connect(name) as copy:
        return "\n".join(copy.iterdump())


def postgres_dump() -> str:
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        pytest.skip("pg_dump is not installed")
    environment = _pg_environment()
    environment["PGDATABASE"] = connection.settings_dict["NAME"]
    result = subprocess.run(  # noqa: S603
        [pg_dump, "--data-only", "--inserts"], env=environment, capture_output=True, text=True, check=True
    )
    return result.stdout


def test_no_plaintext_id_number_or_phone_in_a_raw_dump(district: District) -> None:
    secrets = build_register(district)
    dump = sqlite_dump() if connection.vendor == "sqlite" else postgres_dump()
    assert "registry_person" in dump and "gw1$" in dump  # the dump is real and holds ciphertext
    assert Person.objects.filter(phone=NEW_PHONE).count() == 1  # the values are all still there
    leaked = sorted({s for s in secrets if s and s in dump})
    assert leaked == []
    # Read back, the typed numbers are as written (the pages mask them for who may not see them).
    assert TYPED_PHONE in Case.objects.get(title__contains="反映").description
    assert Person.objects.get(phone=NEW_PHONE).notes == f"其子电话{TYPED_PHONE}"


def test_the_dump_check_sees_a_plaintext_value(district: District) -> None:
    """The scan above can fail: a value put into a free-text column is found in the dump."""
    person = district.people[GRID_A1]
    # A grid's public sign is free text nobody seals: it is for the public.
    Area.objects.filter(code=GRID_A1).update(duties=f"电话 {person.phone}")
    dump = sqlite_dump() if connection.vendor == "sqlite" else postgres_dump()
    assert person.phone in dump

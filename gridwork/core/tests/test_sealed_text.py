"""Numbers typed into free text are sealed in the database (core.sealed_text): the columns hold
no ID number or phone as typed, Python reads the text as written, words stay searchable, and
`rotate_keys` brings the seals to the current key."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from gridwork.cases.models import Case
from gridwork.cases.tests.helpers import report
from gridwork.conftest import GRID_A1, District
from gridwork.core.field_crypto import new_key_text
from gridwork.core.models import RecordHistory
from gridwork.core.sealed_text import UNREADABLE, is_current, seal, unseal
from gridwork.core.system import SYSTEM
from gridwork.registry import services as registry
from gridwork.registry.models import Person

pytestmark = pytest.mark.django_db

ID = "110112196005010011"
PHONE = "13800138000"
LABEL = "cases.case.description"


def stored(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


def test_seal_and_unseal_each_kind_of_number() -> None:
    text = f"身份证{ID}，手机 138 0013 8000，座机 010-12345678，另 {PHONE}。"
    sealed = seal(text, LABEL)
    for number in (ID, "138 0013 8000", "010-12345678", PHONE):
        assert number not in sealed
    assert sealed.startswith("身份证⟦gw1$") and "，手机 ⟦" in sealed
    assert unseal(sealed, LABEL) == text
    assert is_current(sealed) and not is_current(text)
    assert seal("门牌 12 号楼 3 单元", LABEL) == "门牌 12 号楼 3 单元"  # short numbers are no one's


def test_a_case_keeps_the_numbers_sealed_and_its_words_searchable(district: District) -> None:
    case = report(district, title=f"住户{ID}反映", description=f"请回电 {PHONE}")
    assert ID not in stored("cases_case", "title", case.pk)
    assert PHONE not in stored("cases_case", "description", case.pk)
    fresh = Case.objects.get(pk=case.pk)
    assert (fresh.title, fresh.description) == (f"住户{ID}反映", f"请回电 {PHONE}")
    assert list(Case.objects.filter(description__icontains="回电")) == [fresh]


def test_brackets_typed_are_not_taken_for_seals(district: District) -> None:
    case = report(district, description="⟦gw1$not-a-seal⟧ 与 ⟦⟧")
    assert Case.objects.get(pk=case.pk).description == "[gw1$not-a-seal] 与 []"


def test_a_seal_no_key_opens_reads_as_unreadable(district: District, settings: Any) -> None:
    case = report(district, description=f"电话 {PHONE}")
    settings.FIELD_KEYS = [new_key_text()]
    assert Case.objects.get(pk=case.pk).description == f"电话 {UNREADABLE}"


def test_history_of_a_note_holds_the_seal(district: District) -> None:
    person = district.people[GRID_A1]
    registry.save_record(SYSTEM, Person, {"notes": f"其子 {PHONE}"}, pk=person.pk)
    entry = RecordHistory.objects.filter(object_type="registry.person", object_id=str(person.pk)).latest("pk")
    assert PHONE not in str(entry.after) and "⟦gw1$" in entry.after["notes"], entry.after
    assert Person.objects.get(pk=person.pk).notes == f"其子 {PHONE}"


def test_rotate_keys_reseals_free_text(district: District, settings: Any) -> None:
    case = report(district, description=f"电话 {PHONE}")
    old = stored("cases_case", "description", case.pk)
    settings.FIELD_KEYS = [new_key_text(), *settings.FIELD_KEYS]
    assert not is_current(old)
    out = StringIO()
    call_command("rotate_keys", stdout=out)
    assert "cases.case (free text): done" in out.getvalue()
    new = stored("cases_case", "description", case.pk)
    assert new != old and is_current(new) and PHONE not in new
    settings.FIELD_KEYS = settings.FIELD_KEYS[:1]  # the old key dropped: the text still reads
    assert Case.objects.get(pk=case.pk).description == f"电话 {PHONE}"
    # Run again, nothing is left to rewrite.
    call_command("rotate_keys", stdout=(again := StringIO()))
    assert "cases.case (free text): done" in again.getvalue() and ", 0 rewritten" in again.getvalue()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_migration_seals_what_was_typed_before_and_opens_it_going_back(district: District) -> None:
    case = report(district, description=f"电话 {PHONE} ⟦旧⟧")
    assert PHONE not in stored("cases_case", "description", case.pk)
    executor = MigrationExecutor(connection)
    executor.migrate([("cases", "0009_case_public_text")])
    assert stored("cases_case", "description", case.pk) == f"电话 {PHONE} [旧]"  # opened, as typed
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([("cases", "0010_seal_numbers_in_free_text")])
    raw = stored("cases_case", "description", case.pk)
    assert PHONE not in raw and is_current(raw)
    assert Case.objects.get(pk=case.pk).description == f"电话 {PHONE} [旧]"

"""ID numbers and phones in the register: encrypted columns, found and kept unique by their HMAC,
re-encrypted by `gridwork rotate_keys`."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.exceptions import FieldError, ValidationError
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.urls import reverse

from gridwork.accounts import services as accounts
from gridwork.accounts.models import User
from gridwork.conftest import GRID_A1, GRID_B1, District, make_id
from gridwork.core.field_crypto import PREFIX, FieldDecryptError, keyring, new_key_text
from gridwork.core.system import SYSTEM
from gridwork.registry import services
from gridwork.registry.models import Organization, Person

pytestmark = pytest.mark.django_db


def raw(table: str, column: str, pk: int) -> Any:
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {quote(column)} FROM {quote(table)} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


def set_raw(table: str, column: str, pk: int, value: str) -> None:
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {quote(table)} SET {quote(column)} = %s WHERE id = %s", [value, pk])  # noqa: S608


def new_person(grid: str, serial: int, **extra: Any) -> Person:
    values = {
        "grid": grid,
        "name": f"加密{serial}",
        "id_number": make_id(dt.date(1970, 1, 1 + serial % 28), 100 + serial, "F"),
        "phone": f"1370000{serial:04d}",
        **extra,
    }
    return services.save_record(SYSTEM, Person, values)


def test_columns_hold_ciphertext_and_the_model_plain_values(district: District) -> None:
    person = new_person(GRID_A1, 1)
    stored = raw("registry_person", "id_number", person.pk)
    assert stored.startswith(PREFIX) and person.id_number not in stored
    assert person.phone not in raw("registry_person", "phone", person.pk)
    again = Person.objects.get(pk=person.pk)
    assert (again.id_number, again.phone) == (person.id_number, person.phone)
    org = Organization.objects.get(pk=district.orgs[GRID_A1].pk)
    assert org.contact_phone == "13800000000"
    assert "13800000000" not in raw("registry_organization", "contact_phone", org.pk)


def test_tampered_column_is_refused_on_reading(district: District) -> None:
    person = new_person(GRID_A1, 2)
    stored = raw("registry_person", "phone", person.pk)
    set_raw(
        "registry_person", "phone", person.pk, stored[:-6] + ("A" if stored[-6] != "A" else "B") + stored[-5:]
    )
    with pytest.raises(FieldDecryptError):
        Person.objects.get(pk=person.pk)


def test_exact_lookups_go_through_the_hash(district: District) -> None:
    person = new_person(GRID_A1, 3)
    assert raw("registry_person", "id_number_hash", person.pk) == keyring().hash(
        person.id_number, "registry.person.id_number"
    )
    assert list(Person.objects.filter(id_number=person.id_number)) == [person]
    assert list(Person.objects.filter(id_number__in=[person.id_number, "nothing"])) == [person]
    assert list(Person.objects.filter(phone=person.phone).values_list("pk", flat=True)) == [person.pk]
    assert not Person.objects.filter(id_number=person.id_number[:-1] + "0").exclude(pk=person.pk).exists()
    assert Person.objects.filter(household__isnull=True, phone="").count() == 0


@pytest.mark.parametrize("lookup", ["icontains", "startswith", "gt", "iexact"])
def test_partial_lookups_on_an_encrypted_column_are_refused(district: District, lookup: str) -> None:
    with pytest.raises(FieldError, match="encrypted"):
        list(Person.objects.filter(**{f"id_number__{lookup}": "1101"}))


def test_uniqueness_of_living_id_numbers_through_the_hash(district: District) -> None:
    person = new_person(GRID_A1, 4)
    with pytest.raises(ValidationError) as caught:
        new_person(GRID_B1, 5, id_number=person.id_number)
    assert "id_number" in caught.value.message_dict
    # The database's own rule holds too, on the hash column.
    twin = Person.objects.get(pk=person.pk)
    twin.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()


def test_save_with_update_fields_must_name_the_hash(district: District) -> None:
    person = Person.objects.get(pk=district.people[GRID_A1].pk)
    person.phone = "13511112222"
    with pytest.raises(ValueError, match="phone_hash"):
        person.save(update_fields=["phone"])
    person.save(update_fields=["phone", "phone_hash"])
    assert Person.objects.filter(phone="13511112222").get().pk == person.pk


def test_rotation_re_encrypts_and_re_hashes_every_value(district: District, settings: Any) -> None:
    people = [new_person(GRID_A1, n) for n in range(10, 16)]
    old_key, old_hmac = list(settings.FIELD_KEYS), list(settings.FIELD_HMAC_KEYS)
    old_kid = raw("registry_person", "id_number", people[0].pk)[: len(PREFIX) + 5]
    settings.FIELD_KEYS = [new_key_text(), *old_key]
    settings.FIELD_HMAC_KEYS = [new_key_text(), *old_hmac]
    # Before the rotation: old values still read, and are still found by their old hashes.
    assert Person.objects.get(id_number=people[0].id_number).pk == people[0].pk
    out = io.StringIO()
    call_command("rotate_keys", "--batch", "4", stdout=out)
    assert "registry.person: done" in out.getvalue()
    ring = keyring()
    tables = [("registry_person", "id_number", Person), ("registry_person", "phone", Person)]
    for table, column, model in tables:
        for pk in model.objects.values_list("pk", flat=True):
            stored = raw(table, column, pk)
            if stored:
                assert ring.is_current(stored), (table, column, pk)
                assert not stored.startswith(old_kid)
    for org in Organization.objects.all():
        assert ring.is_current(raw("registry_organization", "contact_phone", org.pk))
    # Only the new keys are needed now: values read and are found by their new hashes.
    settings.FIELD_KEYS, settings.FIELD_HMAC_KEYS = settings.FIELD_KEYS[:1], settings.FIELD_HMAC_KEYS[:1]
    for person in people:
        found = Person.objects.get(id_number=person.id_number)
        assert (found.pk, found.phone) == (person.pk, person.phone)
    # A second run finds nothing to do (the command is resumable and idempotent).
    out = io.StringIO()
    call_command("rotate_keys", stdout=out)
    assert "registry.person: done, " in out.getvalue() and " 0 rewritten" in out.getvalue()
    assert "rewritten" in out.getvalue() and not any(
        line.endswith(tuple(f" {n} rewritten" for n in range(1, 100)))
        for line in out.getvalue().splitlines()
        if "done" in line
    )


def test_search_by_a_whole_id_number_as_a_ladder(district: District) -> None:
    """The people list and the API find a person by a whole ID number (through its hash), only in scope."""
    person = district.people[GRID_A1]
    url = reverse("web:area_people", args=[GRID_A1])
    assert Client().get(url, {"q": person.id_number}).status_code == 302  # anonymous: to the login
    assert district.client("nobody").get(url, {"q": person.id_number}).status_code in {403, 404}
    own = district.client("worker_b1").get(
        reverse("web:area_people", args=[GRID_B1]), {"q": person.id_number}
    )
    assert own.status_code == 200 and person.name not in own.content.decode()  # other grid: nothing
    assert district.client("worker_b1").get(url, {"q": person.id_number}).status_code == 404
    found = district.client("worker_a1").get(url, {"q": person.id_number})
    assert found.status_code == 200 and person.name in found.content.decode()
    assert person.id_number_masked in found.content.decode()  # the row shows it masked
    api = "/api/v1/persons"
    assert Client().get(api, {"q": person.id_number}).status_code == 401
    assert district.client("worker_b1").get(api, {"q": person.id_number}).json()["items"] == []
    items = district.client("worker_a1").get(api, {"q": person.id_number}).json()["items"]
    assert [item["id"] for item in items] == [person.pk]
    part = district.client("worker_a1").get(api, {"q": person.id_number[:10]}).json()["items"]
    assert part == []  # part of a number is a name search, never a search of the encrypted numbers


def test_a_users_phone_changed_through_the_service_is_found_by_it(district: District) -> None:
    worker = district.users["worker_a1"]
    accounts.update_user(district.users["admin"], worker, phone="13622223333")
    assert User.objects.get(phone="13622223333").pk == worker.pk
    assert "13622223333" not in raw("accounts_user", "phone", worker.pk)

"""The migrations of issue 12 encrypt the rows already there, and going back decrypts them."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection

from gridwork.conftest import GRID_A1, District
from gridwork.core.field_crypto import PREFIX, keyring
from gridwork.registry.models import Person

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

BEFORE = {"registry": "0007_person_name_index", "accounts": "0004_login_throttle_scoped_tokens"}


def stored(pk: int) -> tuple[str, str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone, name FROM registry_person WHERE id = %s", [pk])
        return cursor.fetchone()


def test_existing_rows_are_encrypted_forward_and_decrypted_backward(district: District) -> None:
    person = district.people[GRID_A1]
    assert stored(person.pk)[0].startswith(PREFIX)
    for app, name in BEFORE.items():
        call_command("migrate", app, name, verbosity=0)
    id_number, phone, _name = stored(person.pk)
    assert (id_number, phone) == (person.id_number, person.phone)  # back to plain text
    for app in BEFORE:
        call_command("migrate", app, verbosity=0)
    id_number, phone, _name = stored(person.pk)
    assert id_number.startswith(PREFIX) and phone.startswith(PREFIX)
    assert person.id_number not in id_number and person.phone not in phone
    again = Person.objects.get(id_number=person.id_number)  # found through the new hash
    assert (again.pk, again.phone) == (person.pk, person.phone)
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number_hash FROM registry_person WHERE id = %s", [person.pk])
        assert cursor.fetchone()[0] == keyring().hash(person.id_number, "registry.person.id_number")

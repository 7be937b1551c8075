"""AES-GCM values and HMAC hashes of core.field_crypto, and the system check on the keys."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from gridwork.core.checks import field_keys_check
from gridwork.core.field_crypto import PREFIX, FieldDecryptError, keyring, new_key_text

COLUMN = "registry.person.id_number"
VALUE = "110112196005010011"


def test_round_trip_and_a_new_nonce_each_time() -> None:
    ring = keyring()
    first, second = ring.encrypt(VALUE, COLUMN), ring.encrypt(VALUE, COLUMN)
    assert first.startswith(PREFIX) and VALUE not in first
    assert first != second  # a fresh nonce: equal values do not show as equal ciphertext
    assert ring.decrypt(first, COLUMN) == ring.decrypt(second, COLUMN) == VALUE


def test_tampered_ciphertext_is_refused() -> None:
    ring = keyring()
    token = ring.encrypt(VALUE, COLUMN)
    raw = bytearray(base64.urlsafe_b64decode(token[len(PREFIX) :]))
    raw[-1] ^= 1
    tampered = PREFIX + base64.urlsafe_b64encode(bytes(raw)).decode()
    with pytest.raises(FieldDecryptError, match="altered"):
        ring.decrypt(tampered, COLUMN)
    with pytest.raises(FieldDecryptError, match="not encrypted"):
        ring.decrypt(VALUE, COLUMN)


def test_a_value_moved_to_another_column_does_not_decrypt() -> None:
    token = keyring().encrypt(VALUE, COLUMN)
    with pytest.raises(FieldDecryptError):
        keyring().decrypt(token, "registry.person.phone")


def test_hmac_is_keyed_and_per_column(settings: Any) -> None:
    ring = keyring()
    assert ring.hash(VALUE, COLUMN) == ring.hashes(VALUE, COLUMN)[0]
    assert ring.hash(VALUE, COLUMN) != ring.hash(VALUE, "accounts.user.phone")
    before = ring.hash(VALUE, COLUMN)
    settings.FIELD_HMAC_KEYS = [new_key_text(), *settings.FIELD_HMAC_KEYS]
    rotated = keyring().hashes(VALUE, COLUMN)
    assert rotated[0] != before and rotated[1] == before  # the old key's hash still matches


def test_a_value_under_a_key_no_longer_listed_is_refused(settings: Any) -> None:
    token = keyring().encrypt(VALUE, COLUMN)
    settings.FIELD_KEYS = [new_key_text()]
    with pytest.raises(FieldDecryptError, match="no longer lists"):
        keyring().decrypt(token, COLUMN)


def test_check_refuses_production_without_keys(settings: Any) -> None:
    assert field_keys_check() == []  # the tests' derived development keys pass without DEPLOY
    settings.DEPLOY = True
    assert {e.id for e in field_keys_check()} == {"gridwork.E001", "gridwork.E002"}  # derived keys
    settings.FIELD_KEYS, settings.FIELD_HMAC_KEYS = [], []
    settings.FIELD_KEYS_DERIVED = settings.FIELD_HMAC_KEYS_DERIVED = False
    assert [e.id for e in field_keys_check()] == ["gridwork.E001", "gridwork.E002"]
    settings.FIELD_KEYS, settings.FIELD_HMAC_KEYS = ["not-a-key"], [new_key_text()]
    assert [e.id for e in field_keys_check()] == ["gridwork.E001"]
    settings.FIELD_KEYS = [new_key_text()]
    assert field_keys_check() == []

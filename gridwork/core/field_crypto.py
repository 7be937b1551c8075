"""Encryption at rest of ID numbers and phones: AES-256-GCM for the value, HMAC-SHA256 for lookups.

Keys come from the settings (read from the environment), never from the database:

- `FIELD_KEYS`: AES keys, base64 of 32 bytes each, the first the current one. Values are written
  under the first; the others are kept so values written before a rotation can still be read.
  `gridwork rotate_keys` re-encrypts every value under the first, after which the old keys can go.
- `FIELD_HMAC_KEYS`: HMAC keys, the first the current one. A lookup by value matches the hash
  under every listed key, so a new first key works at once; `rotate_keys` re-hashes every row
  under the first, after which the old keys can go.

A stored value is `gw1$` + base64url(key id (4 bytes) ‖ nonce (12 bytes) ‖ ciphertext and tag).
The key id names the key among FIELD_KEYS; the associated data is the column's name
(`registry.person.id_number`), so a value moved to another column does not decrypt.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import hmac
import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PREFIX = "gw1$"
KEY_BYTES = 32
NONCE_BYTES = 12
KID_BYTES = 4


class FieldDecryptError(ValueError):
    """A stored value that is not ours, was altered, or was written under a key no longer listed."""


def parse_key(text: str, name: str) -> bytes:
    try:
        key = base64.b64decode(text.strip() + "=" * (-len(text.strip()) % 4), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ImproperlyConfigured(f"{name}: a key is not base64") from exc
    if len(key) != KEY_BYTES:
        raise ImproperlyConfigured(f"{name}: a key must be {KEY_BYTES} bytes (base64 of 32 random bytes)")
    return key


def new_key_text() -> str:
    """A fresh random key, as FIELD_KEYS and FIELD_HMAC_KEYS take it."""
    return base64.urlsafe_b64encode(os.urandom(KEY_BYTES)).decode().rstrip("=")


def _kid(key: bytes) -> bytes:
    return hashlib.sha256(b"gridwork-field-key-id\x00" + key).digest()[:KID_BYTES]


@dataclass(frozen=True)
class Keyring:
    keys: tuple[bytes, ...]
    hmac_keys: tuple[bytes, ...]

    @functools.cached_property
    def by_kid(self) -> dict[bytes, AESGCM]:
        return {_kid(key): AESGCM(key) for key in self.keys}

    @functools.cached_property
    def current(self) -> tuple[bytes, AESGCM]:
        return _kid(self.keys[0]), AESGCM(self.keys[0])

    def encrypt(self, value: str, column: str) -> str:
        kid, aead = self.current
        nonce = os.urandom(NONCE_BYTES)
        sealed = aead.encrypt(nonce, value.encode(), column.encode())
        return PREFIX + base64.urlsafe_b64encode(kid + nonce + sealed).decode()

    def decrypt(self, token: str, column: str) -> str:
        if not token.startswith(PREFIX):
            raise FieldDecryptError(f"{column}: a stored value is not encrypted")
        try:
            raw = base64.urlsafe_b64decode(token[len(PREFIX) :])
        except (binascii.Error, ValueError) as exc:
            raise FieldDecryptError(f"{column}: a stored value is damaged") from exc
        kid, nonce, sealed = (
            raw[:KID_BYTES],
            raw[KID_BYTES : KID_BYTES + NONCE_BYTES],
            raw[KID_BYTES + NONCE_BYTES :],
        )
        aead = self.by_kid.get(kid)
        if aead is None:
            raise FieldDecryptError(f"{column}: a value was written under a key FIELD_KEYS no longer lists")
        try:
            return aead.decrypt(nonce, sealed, column.encode()).decode()
        except InvalidTag as exc:
            raise FieldDecryptError(f"{column}: a stored value was altered") from exc

    def is_current(self, token: str) -> bool:
        """Written under the first key (rotation leaves it as it is)."""
        if not token.startswith(PREFIX):
            return False
        try:
            raw = base64.urlsafe_b64decode(token[len(PREFIX) :])
        except (binascii.Error, ValueError):
            return False
        return raw[:KID_BYTES] == self.current[0]

    def hashes(self, value: str, column: str) -> list[str]:
        """The value's keyed hash under each HMAC key, the current one first."""
        message = f"{column}\x00{value}".encode()
        return [hmac.new(key, message, hashlib.sha256).hexdigest() for key in self.hmac_keys]

    def hash(self, value: str, column: str) -> str:
        message = f"{column}\x00{value}".encode()
        return hmac.new(self.hmac_keys[0], message, hashlib.sha256).hexdigest()


@functools.cache
def _keyring(keys: tuple[str, ...], hmac_keys: tuple[str, ...]) -> Keyring:
    if not keys:
        raise ImproperlyConfigured("FIELD_KEYS is empty: ID numbers and phones cannot be encrypted")
    if not hmac_keys:
        raise ImproperlyConfigured("FIELD_HMAC_KEYS is empty: ID numbers and phones cannot be looked up")
    return Keyring(
        tuple(parse_key(k, "FIELD_KEYS") for k in keys),
        tuple(parse_key(k, "FIELD_HMAC_KEYS") for k in hmac_keys),
    )


def keyring() -> Keyring:
    """The keys of the current settings (tests may override FIELD_KEYS and FIELD_HMAC_KEYS)."""
    return _keyring(tuple(settings.FIELD_KEYS), tuple(settings.FIELD_HMAC_KEYS))


if __name__ == "__main__":
    # `python -m gridwork.core.field_crypto`: a new key for FIELD_KEYS or FIELD_HMAC_KEYS.
    print(new_key_text())  # noqa: T201

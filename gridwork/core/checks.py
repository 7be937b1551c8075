"""System checks: Gridwork refuses to run in production without its own encryption keys."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from gridwork.core.field_crypto import parse_key


@checks.register(checks.Tags.security, deploy=False)
def field_keys_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    errors: list[checks.CheckMessage] = []
    for name, derived_flag, code in (
        ("FIELD_KEYS", "FIELD_KEYS_DERIVED", "gridwork.E001"),
        ("FIELD_HMAC_KEYS", "FIELD_HMAC_KEYS_DERIVED", "gridwork.E002"),
    ):
        keys = getattr(settings, name, [])
        if not keys:
            errors.append(
                checks.Error(
                    f"{name} is not set: ID numbers and phones cannot be encrypted.",
                    hint=f"Set {name} to base64 of 32 random bytes (python -m gridwork.core.field_crypto).",
                    id=code,
                )
            )
            continue
        if getattr(settings, "DEPLOY", False) and getattr(settings, derived_flag, False):
            errors.append(
                checks.Error(
                    f"{name} is the development key derived from SECRET_KEY; DEPLOY needs a real key.",
                    id=code,
                )
            )
        for key in keys:
            try:
                parse_key(key, name)
            except ImproperlyConfigured as exc:
                errors.append(checks.Error(str(exc), id=code))
    return errors

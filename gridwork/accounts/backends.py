"""Password login with lockout after repeated failures."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from gridwork.core import rawsql


class LockoutModelBackend(ModelBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        from gridwork.accounts import services

        return services.authenticate_with_lockout(request, username, password, super().authenticate, **kwargs)

    def get_user(self, user_id: Any) -> Any:
        # Every signed-in request loads its user here: one read by key in fixed SQL (see
        # core/rawsql.py) instead of an ORM query; the same row, fields and checks as ModelBackend's.
        from gridwork.accounts.models import User

        try:
            pk = User._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        found = rawsql.instances(User, "id = %s", [pk])
        return found[0] if found and self.user_can_authenticate(found[0]) else None

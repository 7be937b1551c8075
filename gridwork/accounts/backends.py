"""Password login with lockout after repeated failures."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.http import HttpRequest


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
        # Every signed-in request loads its user here; the same row and the same check (active)
        # as ModelBackend's, read without ORM query building.
        from gridwork.accounts import services
        from gridwork.accounts.models import User

        try:
            pk = User._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        return services.active_user(pk)

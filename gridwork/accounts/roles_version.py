"""The number on the user row that outdates the roles a session keeps (see accounts.access)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import F

from gridwork.accounts.models import User


def bump_roles_version(user_ids: Iterable[int]) -> None:
    """Mark the roles of these users as changed; bulk writes (which send no signals) call it too."""
    ids = sorted(set(user_ids))
    if ids:
        User.objects.filter(pk__in=ids).update(roles_version=F("roles_version") + 1)

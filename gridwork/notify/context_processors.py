"""`inbox_unread` for the header: counted only when a template reads it, and only for a signed-in user."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from gridwork.notify.models import Notification


def unread_count(user: Any) -> int:
    return Notification.objects.for_user(user).unread().count()


def inbox(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def unread() -> int:
        # A callable: the template calls it when (and only when) it renders the count.
        return unread_count(user)

    return {"inbox_unread": unread}

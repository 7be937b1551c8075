"""`inbox_unread` for the header: counted only when a template reads it, and only for a signed-in user."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from gridwork.core import rawsql

# On every page: fixed SQL (core/rawsql.py) for what Notification.objects.for_user(user).unread()
# counts; an index on (recipient, read_at) answers it.
_UNREAD_SQL = "SELECT COUNT(*) FROM notify_notification WHERE recipient_id = %s AND read_at IS NULL"


def unread_count(user: Any) -> int:
    return rawsql.fetch(_UNREAD_SQL, [user.pk])[0][0]


def inbox(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def unread() -> int:
        # A callable: the template calls it when (and only when) it renders the count.
        return unread_count(user)

    return {"inbox_unread": unread}

"""Entries of the notify app: the inbox (each user's own) and the webhooks (the district's)."""

from __future__ import annotations

from gridwork.web.tests.matrix.rules import (
    CONFIGURERS,
    NO_BODY,
    SIGNED,
    SIGNED_IN,
    Ctx,
    Entry,
    Rule,
    api_object,
)


def _webhook(c: Ctx) -> dict:
    return {"name": "矩阵", "url": "https://hooks.example.org/m", "area": c.t("grid")}


ENTRIES: dict[str, Entry] = {
    "GET web:inbox": Entry(SIGNED),
    # A notification is its recipient's: another's answers 404 as a missing one.
    "POST web:inbox_read": Entry(Rule(SIGNED_IN, ok=302), {"pk": "notification"}, body=NO_BODY),
    "POST web:inbox_read_all": Entry(Rule(SIGNED_IN, ok=302, scoped=False), body=NO_BODY),
    "GET /api/v1/inbox": Entry(SIGNED),
    "POST /api/v1/inbox/{notification_id}/read": Entry(
        Rule(SIGNED_IN), {"notification_id": "notification"}, body=NO_BODY
    ),
    "GET /api/v1/webhooks": Entry(Rule(CONFIGURERS, scoped=False)),
    # Subscribing another district's area is refused (403), one that does not exist is invalid
    # (422): the area tree is public (the atlas), so that tells nothing of a record.
    "POST /api/v1/webhooks": Entry(
        Rule(CONFIGURERS, ok=201, hidden=403, like_missing=False), body=_webhook, encoding="json"
    ),
    "PATCH /api/v1/webhooks/{subscription_id}": Entry(
        api_object(CONFIGURERS),
        {"subscription_id": "subscription"},
        body=lambda c: {"active": False},
        encoding="json",
    ),
    "GET /api/v1/webhooks/{subscription_id}/deliveries": Entry(
        api_object(CONFIGURERS), {"subscription_id": "subscription"}
    ),
}

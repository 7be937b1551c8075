"""The back office's entries, made the same way for every model admin.

Django's admin sends a signed-in user who may not use the back office at all to its login page
(302); inside it, a model one may not read answers 403 and its history 404; a record outside one's
scope answers 404 as a missing one.
"""

from __future__ import annotations

from gridwork.web.tests.matrix.rules import BACK_OFFICE, EVERYONE, SIGNED_IN, Entry, Rule, Status

OUTSIDERS: dict[str, Status] = dict.fromkeys(SIGNED_IN - BACK_OFFICE, 302)


def back_office(who: frozenset[str], **options: object) -> Rule:
    """A back-office page for `who`; other staff of the back office are refused with 403."""
    special = {**OUTSIDERS, **options.pop("special", {})}  # type: ignore[dict-item]
    return Rule(who, **{"refused": 403, **options, "special": special})  # type: ignore[arg-type]


def model_entries(
    model: str,
    kind: str,
    readers: frozenset[str],
    adders: frozenset[str] = frozenset(),
    deleters: frozenset[str] = frozenset(),
    *,
    scoped: bool = True,
    deleted: dict[str, Status] | None = None,
) -> dict[str, Entry]:
    """Every view of one model admin ("app_model"): its list, add, change, history, delete, and
    Django's old change URL (a redirect for everyone, the change page checks)."""
    obj = {"object_id": kind}
    app, name = model.split("_", 1)
    return {
        f"GET admin:{model}_changelist": Entry(back_office(readers, scoped=False)),
        f"GET admin:{model}_add": Entry(back_office(adders, scoped=False)),
        f"GET admin:{model}_change": Entry(back_office(readers, scoped=scoped), obj),
        f"GET admin:{model}_history": Entry(back_office(readers, scoped=scoped, refused=404), obj),
        f"GET admin:{app}/{name}/<path:object_id>/": Entry(Rule(EVERYONE, ok=302, scoped=False), obj),
        f"GET admin:{model}_delete": Entry(back_office(deleters), obj),
        f"POST admin:{model}_delete": Entry(
            back_office(deleters, ok=302, special=deleted or {}), obj, body=lambda c: {"post": "yes"}
        ),
    }

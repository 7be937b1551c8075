"""Entries of what belongs to no one app: the language switch, the home page, the API's own
documents and the back office's frame; the audit log's pages and back office (core)."""

from __future__ import annotations

from gridwork.web.tests.matrix.backoffice import back_office, model_entries
from gridwork.web.tests.matrix.rules import (
    AUDITORS,
    BACK_OFFICE,
    CENTRE,
    DISTRICT,
    EVERYONE,
    NO_BODY,
    SIGNED,
    STREET,
    Entry,
    Rule,
)

PUBLIC = Rule(EVERYONE, scoped=False)
AREA_STAFF = frozenset({CENTRE, STREET, DISTRICT})

ENTRIES: dict[str, Entry] = {
    "POST set_language": Entry(
        Rule(EVERYONE, ok=302, scoped=False), body=lambda c: {"language": "en", "next": "/"}
    ),
    "GET web:home": Entry(SIGNED),
    "GET web:audit": Entry(Rule(AUDITORS, scoped=False)),
    "GET web:audit_export": Entry(Rule(AUDITORS, scoped=False), {"file_format": "=csv"}),
    # Browsers ask for /favicon.ico: a permanent redirect to the static icon, for everyone.
    "GET favicon.ico": Entry(Rule(EVERYONE, ok=301, scoped=False)),
    "GET api:openapi-json": Entry(PUBLIC),
    "GET api:openapi-view": Entry(PUBLIC),
    "GET api:api-root": Entry(Rule(EVERYONE, ok=404, scoped=False)),
    # The back office's frame: staff of the back office only, the others sent to its login page.
    "GET admin:index": Entry(back_office(BACK_OFFICE, scoped=False)),
    # Signed in to the back office already: its login page sends one on to the index.
    "GET admin:login": Entry(Rule(EVERYONE, scoped=False, special=dict.fromkeys(BACK_OFFICE, 302))),
    "POST admin:logout": Entry(Rule(EVERYONE, ok=302, scoped=False), body=NO_BODY),
    "GET admin:password_change": Entry(back_office(BACK_OFFICE, scoped=False)),
    "GET admin:password_change_done": Entry(back_office(BACK_OFFICE, scoped=False)),
    # The back office's autocomplete, as a person's form completes its household by number: the
    # register's staff get the households of their scope only (the leak check looks for the
    # others' numbers); the auditor and the administrator, who have no register, are refused.
    "GET admin:autocomplete": Entry(
        back_office(AREA_STAFF, scoped=False),
        query={"app_label": "registry", "model_name": "person", "field_name": "household", "term": "H"},
        lists=True,
    ),
    "GET admin:jsi18n": Entry(back_office(BACK_OFFICE, scoped=False)),
    "GET admin:view_on_site": Entry(
        back_office(BACK_OFFICE, ok=404, scoped=False), {"content_type_id": "=1", "object_id": "=1"}
    ),
    # The register's app: its staff only; the auditor and the administrator have none of its models.
    "GET admin:app_list": Entry(
        back_office(BACK_OFFICE, scoped=False, special={"auditor": 404, "sysadmin": 404}),
        {"app_label": "=registry"},
    ),
    "GET admin:(?P<url>.*)$": Entry(back_office(BACK_OFFICE, ok=404, scoped=False)),
    # The audit log is the district's, read whole by its auditors: no record of it is outside.
    **model_entries("core_auditevent", "audit_event", AUDITORS, scoped=False),
    **model_entries("core_recordhistory", "history", AUDITORS, scoped=False),
}

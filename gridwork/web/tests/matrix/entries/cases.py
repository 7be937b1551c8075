"""Entries of the cases app: the case pages and actions, the public report and tracking pages,
and the cases' API (staff and public)."""

from __future__ import annotations

from gridwork.web.tests.matrix.district import point
from gridwork.web.tests.matrix.rules import (
    CASE_DECIDERS,
    CASE_STAFF,
    CENTRE,
    DEPARTMENT,
    DISTRICT,
    EVERYONE,
    MEMBER,
    REASON,
    REGISTER_READERS,
    REVEALERS,
    SIGNED,
    STREET,
    WORKER,
    Ctx,
    Entry,
    Rule,
    api_list,
    api_object,
    second_factor,
)

PUBLIC = Rule(EVERYONE, scoped=False)
CASE_ACTION = {"case_id": "case", "action": "action"}
NEAR_A1 = {"category": "E0104", "lon": "116.604", "lat": "39.904"}
# A grid's own staff may not take the decisions of the centre and the departments.
GRID_STAFF_REFUSED = {MEMBER: (403, 404), WORKER: (403, 404)}
# Who may put a moderator's text on the public board in place of the resident's words.
PUBLISHERS = frozenset({CENTRE, STREET, DISTRICT})
# Of the case staff, the grid's members and the departments do not reveal a reporter's contact.
NOT_REVEALERS = {MEMBER: (403, 404), DEPARTMENT: (403, 404)}


def _case_report(c: Ctx) -> dict:
    lon, lat = point(c.t("grid"))
    return {"category": "E0104", "title": "井盖缺失", "source": "patrol", "lon": lon, "lat": lat}


def _public_report(c: Ctx) -> dict:
    lon, lat = point(c.t("grid"))
    return {
        "category": "E0104",
        "description": "路灯不亮",
        "lon": lon,
        "lat": lat,
        "name": "居民",
        "phone": "13500001234",
    }


PAGES: dict[str, Entry] = {
    # The area tab: every case of the scope (the default tab holds only what awaits one).
    "GET web:cases": Entry(Rule(CASE_STAFF, scoped=False), query={"tab": "area"}, lists=True),
    "GET web:case_new": Entry(Rule(REGISTER_READERS, scoped=False)),
    # Outside one's area the form says one may not report there: grid boundaries are public (the
    # atlas), so that names no record.
    "POST web:case_new": Entry(
        Rule(REGISTER_READERS, ok=302, hidden=422, like_missing=False),
        body=_case_report,
        encoding="multipart",
    ),
    "GET web:case_duplicates": Entry(Rule(CASE_STAFF, scoped=False), query=NEAR_A1),
    "GET web:case": Entry(Rule(CASE_STAFF), {"pk": "case"}),
    "POST web:case_act": Entry(
        # The page sends a grid's staff back to the case, saying they may not.
        Rule(CASE_DECIDERS, ok=302, special={MEMBER: (302, 404), WORKER: (302, 404)}),
        {"pk": "case", "action": "action"},
        body=lambda c: {"note": "已处理"},
    ),
    "POST web:case_reveal": Entry(
        Rule(REVEALERS, special=NOT_REVEALERS), {"pk": "case"}, body=lambda c: REASON
    ),
    "POST web:case_publish": Entry(
        Rule(PUBLISHERS, ok=302), {"pk": "case"}, body=lambda c: {"public_text": "路灯已修复"}
    ),
    "GET web:case_photo": Entry(Rule(CASE_STAFF), {"pk": "case", "photo_pk": "photo"}),
    "GET web:public_report": Entry(PUBLIC),
    "POST web:public_report": Entry(Rule(EVERYONE, ok=302, scoped=False), body=_public_report),
    # Without a report just made, the thank-you page sends one to the report form.
    "GET web:public_reported": Entry(Rule(EVERYONE, ok=302, scoped=False)),
    "GET web:public_track": Entry(PUBLIC),
    "GET web:public_track_case": Entry(PUBLIC, {"code": "tracking"}),
    # Back to the tracking page, which says the case is not closed yet.
    "POST web:public_rate": Entry(
        Rule(EVERYONE, ok=302, scoped=False), {"code": "tracking"}, body=lambda c: {"rating": "5"}
    ),
}

API: dict[str, Entry] = {
    # Reported at a point outside one's area: refused (403), as on the building's form.
    "POST /api/v1/cases": Entry(
        Rule(REGISTER_READERS, ok=201, hidden=403, like_missing=False),
        body=_case_report,
        encoding="multipart",
    ),
    "GET /api/v1/cases": Entry(api_list(CASE_STAFF), query={"area": "@grid"}, lists=True),
    "GET /api/v1/cases/possible-duplicates": Entry(api_list(CASE_STAFF, scoped=False), query=NEAR_A1),
    "GET /api/v1/cases/{case_id}": Entry(api_object(CASE_STAFF), {"case_id": "case"}),
    "POST /api/v1/cases/{case_id}/actions/{action}": Entry(
        api_object(CASE_DECIDERS, special=GRID_STAFF_REFUSED), CASE_ACTION, body=lambda c: {"note": "已处理"}
    ),
    "POST /api/v1/cases/{case_id}/reveal": Entry(
        api_object(REVEALERS, special=NOT_REVEALERS, token=second_factor(REVEALERS)),
        {"case_id": "case"},
        body=lambda c: REASON,
        encoding="json",
    ),
    # The case is looked up first (404 outside what one sees), then the right to publish (403).
    "POST /api/v1/cases/{case_id}/public-text": Entry(
        api_object(PUBLISHERS, special={**GRID_STAFF_REFUSED, DEPARTMENT: (403, 404)}),
        {"case_id": "case"},
        body=lambda c: {"text": "路灯已修复"},
        encoding="json",
    ),
    "GET /api/v1/cases/{case_id}/timeline": Entry(api_object(CASE_STAFF), {"case_id": "case"}),
    "GET /api/v1/cases/{case_id}/duplicates": Entry(api_object(CASE_STAFF), {"case_id": "case"}),
    # The category tree is a vocabulary (Open311 publishes it to everyone).
    "GET /api/v1/categories": Entry(SIGNED),
    "GET /api/v1/indicators": Entry(Rule(CASE_STAFF), query={"area": "@grid"}),
    "POST /api/v1/public/reports": Entry(
        Rule(EVERYONE, ok=201, scoped=False), body=_public_report, encoding="multipart"
    ),
    "GET /api/v1/public/cases/{tracking_code}": Entry(PUBLIC, {"tracking_code": "tracking"}),
    # Not closed yet: a rating is refused with 409 for everyone.
    "POST /api/v1/public/cases/{tracking_code}/rating": Entry(
        Rule(EVERYONE, ok=409, scoped=False),
        {"tracking_code": "tracking"},
        body=lambda c: {"rating": 5},
        encoding="json",
    ),
}

ENTRIES: dict[str, Entry] = {**PAGES, **API}

"""The authorization matrix: one entry per route and method, pages, API, Open311 and back office.

A route the project mounts without an entry here fails gridwork/web/tests/test_access_matrix.py,
and so does an entry whose route is gone. Keys: "METHOD namespace:name" for URL patterns,
"METHOD /api/v1/path" for the API's operations (as ninja declares them).
"""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from gridwork.conftest import PASSWORD
from gridwork.web.tests.matrix.district import point
from gridwork.web.tests.matrix.rules import (
    ACCOUNT_MANAGERS,
    AREA_READERS,
    AUDITORS,
    BACK_OFFICE,
    CASE_DECIDERS,
    CASE_STAFF,
    CENTRE,
    CONFIGURERS,
    DEPARTMENT,
    EVERYONE,
    EXPORTERS,
    MEMBER,
    REGISTER_READERS,
    REGISTER_WRITERS,
    REVEALERS,
    SIGNED_IN,
    WORKER,
    Ctx,
    Entry,
    Rule,
)

REASON = {"reason": "核对身份信息"}
PERSON_CSV = "name,id_number\n矩阵,110112198803010026\n"


def _login(c: Ctx) -> dict:
    user = c.d.user(c.principal)
    return {"username": user.username if user else "nobody", "password": PASSWORD}


def _csv() -> SimpleUploadedFile:
    return SimpleUploadedFile("people.csv", PERSON_CSV.encode(), content_type="text/csv")


def _import(c: Ctx) -> dict:
    return {"kind": "persons", "mode": "check", "file": _csv()}


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


def _open311_post(c: Ctx) -> dict:
    lon, lat = point(c.t("grid"))
    token = c.d.tokens.get(c.principal, "")
    return {"api_key": token, "service_code": "E0104", "lat": lat, "long": lon, "description": "路灯不亮"}


def _act(c: Ctx) -> dict:
    return {"note": "已处理"}


def _export(c: Ctx) -> dict:
    return {"area": c.t("grid"), "format": "csv", **REASON}


def _building(c: Ctx) -> dict:
    lon, lat = point(c.t("grid"))
    return {"code": f"BM{c.principal}", "number": "9号楼", "address": "示例路9号", "lon": lon, "lat": lat}


def _household(c: Ctx) -> dict:
    return {"number": f"HM{c.principal}", "house": int(c.t("house"))}


def _person(c: Ctx) -> dict:
    return {
        "name": "矩阵",
        "id_number": c.d.fresh_id_number(),
        "household": int(c.t("household")),
        "relation": "other",
    }


def _webhook(c: Ctx) -> dict:
    return {"name": "矩阵", "url": "https://hooks.example.org/m", "area": c.t("grid")}


def _merge(c: Ctx) -> dict:
    return {"keep": c.t("person"), "merge": c.t("twin"), **REASON}


def _no_body(c: Ctx) -> dict:
    return {}


PUBLIC = Rule(EVERYONE, scoped=False)
SIGNED = Rule(SIGNED_IN, scoped=False)
CASE_ACTION = {"case_id": "case", "action": "action"}

PAGES: dict[str, Entry] = {
    "POST set_language": Entry(
        Rule(EVERYONE, ok=302, scoped=False), body=lambda c: {"language": "en", "next": "/"}
    ),
    # Signed in already: the login page sends one on.
    "GET web:login": Entry(Rule(EVERYONE, scoped=False, special=dict.fromkeys(SIGNED_IN, 302))),
    "POST web:login": Entry(Rule(EVERYONE, ok=302, scoped=False), body=_login),
    "POST web:logout": Entry(Rule(SIGNED_IN, ok=302, scoped=False), body=_no_body),
    "GET web:home": Entry(SIGNED),
    "GET web:area": Entry(Rule(AREA_READERS), {"code": "grid"}),
    "GET web:area_people": Entry(Rule(REGISTER_READERS), {"code": "grid"}, query={"q": "测试"}),
    "GET web:area_organisations": Entry(Rule(REGISTER_READERS), {"code": "grid"}),
    "GET web:area_objects": Entry(Rule(REGISTER_READERS), {"code": "grid"}),
    "GET web:building": Entry(Rule(REGISTER_READERS), {"pk": "building"}),
    "GET web:household": Entry(Rule(REGISTER_READERS), {"pk": "household"}),
    "GET web:person": Entry(Rule(REGISTER_READERS), {"pk": "person"}),
    "POST web:person_reveal": Entry(Rule(REVEALERS), {"pk": "person"}, body=lambda c: REASON),
    "GET web:audit": Entry(Rule(AUDITORS, scoped=False)),
    "GET web:imports": Entry(Rule(REGISTER_WRITERS, scoped=False)),
    "POST web:imports": Entry(
        Rule(REGISTER_WRITERS, ok=302, scoped=False), body=_import, encoding="multipart"
    ),
    "GET web:import_template": Entry(
        Rule(REGISTER_WRITERS, scoped=False), {"kind": "=persons", "file_format": "=csv"}
    ),
    "GET web:import_job": Entry(Rule(REGISTER_WRITERS), {"pk": "job"}),
    "GET web:import_errors": Entry(Rule(REGISTER_WRITERS), {"pk": "job", "file_format": "=csv"}),
    "GET web:duplicates": Entry(Rule(REGISTER_WRITERS, scoped=False)),
    "POST web:duplicates_merge": Entry(Rule(REGISTER_WRITERS, ok=302), body=_merge),
    "GET web:area_export": Entry(Rule(EXPORTERS), {"code": "grid", "kind": "=persons"}),
    "POST web:area_export": Entry(
        Rule(EXPORTERS), {"code": "grid", "kind": "=persons"}, body=lambda c: {"format": "csv", **REASON}
    ),
    "GET web:cases": Entry(Rule(CASE_STAFF, scoped=False)),
    "GET web:case_new": Entry(Rule(REGISTER_READERS, scoped=False)),
    # Outside one's area the form says one may not report there: grid boundaries are public (the
    # atlas), so that names no record.
    "POST web:case_new": Entry(
        Rule(REGISTER_READERS, ok=302, hidden=422, like_missing=False),
        body=_case_report,
        encoding="multipart",
    ),
    "GET web:case_duplicates": Entry(
        Rule(CASE_STAFF, scoped=False), query={"category": "E0104", "lon": "116.604", "lat": "39.904"}
    ),
    "GET web:case": Entry(Rule(CASE_STAFF), {"pk": "case"}),
    "POST web:case_act": Entry(
        # A grid's own staff may not accept: the page sends them back to the case, saying so.
        Rule(CASE_DECIDERS, ok=302, special={MEMBER: (302, 404), WORKER: (302, 404)}),
        {"pk": "case", "action": "action"},
        body=_act,
    ),
    "POST web:case_reveal": Entry(
        Rule(REVEALERS, special={MEMBER: (403, 404), DEPARTMENT: (403, 404)}),
        {"pk": "case"},
        body=lambda c: REASON,
    ),
    "GET web:case_photo": Entry(Rule(CASE_STAFF), {"pk": "case", "photo_pk": "photo"}),
    "GET web:public_report": Entry(PUBLIC),
    "POST web:public_report": Entry(Rule(EVERYONE, ok=302, scoped=False), body=_public_report),
    # Without a report just made, the thank-you page sends one to the report form.
    "GET web:public_reported": Entry(Rule(EVERYONE, ok=302, scoped=False)),
    "GET web:public_track": Entry(PUBLIC),
    "GET web:public_track_case": Entry(PUBLIC, {"code": "tracking"}),
    "POST web:public_rate": Entry(
        # Back to the tracking page, which says the case is not closed yet.
        Rule(EVERYONE, ok=302, scoped=False),
        {"code": "tracking"},
        body=lambda c: {"rating": "5"},
    ),
    "GET web:inbox": Entry(SIGNED),
    "POST web:inbox_read": Entry(Rule(SIGNED_IN, ok=302), {"pk": "notification"}, body=_no_body),
    "POST web:inbox_read_all": Entry(Rule(SIGNED_IN, ok=302, scoped=False), body=_no_body),
}

OPEN311: dict[str, Entry] = {
    "GET open311:services": Entry(PUBLIC, {"fmt": "=json"}),
    "GET open311:service": Entry(PUBLIC, {"service_code": "=E0104", "fmt": "=json"}),
    "GET open311:requests": Entry(PUBLIC, {"fmt": "=json"}),
    # Any client holding a token reports as a resident would (the public may report without one).
    "POST open311:requests": Entry(
        Rule(SIGNED_IN, ok=201, scoped=False, anon=403), {"fmt": "=json"}, body=_open311_post
    ),
    "GET open311:request": Entry(PUBLIC, {"request_id": "open311_case", "fmt": "=json"}),
    "GET open311:token": Entry(PUBLIC, {"token": "open311_token", "fmt": "=json"}),
}

API_OPEN: dict[str, Entry] = {
    "GET api:openapi-json": Entry(PUBLIC),
    "GET api:openapi-view": Entry(PUBLIC),
    "GET api:api-root": Entry(Rule(EVERYONE, ok=404, scoped=False)),
}

API: dict[str, Entry] = {
    "GET /api/v1/me": Entry(SIGNED),
    "GET /api/v1/areas": Entry(SIGNED),
    "GET /api/v1/areas/{code}": Entry(Rule(AREA_READERS), {"code": "grid"}),
    "GET /api/v1/areas/{code}/boundary": Entry(Rule(AREA_READERS), {"code": "grid"}),
    "GET /api/v1/areas/{code}/stats": Entry(Rule(REGISTER_READERS), {"code": "grid"}),
    "GET /api/v1/buildings": Entry(Rule(REGISTER_READERS), query={"area": "@grid"}),
    "POST /api/v1/buildings": Entry(Rule(REGISTER_WRITERS, ok=201), body=_building, encoding="json"),
    "GET /api/v1/buildings/{building_id}": Entry(Rule(REGISTER_READERS), {"building_id": "building"}),
    "GET /api/v1/houses": Entry(Rule(REGISTER_READERS), query={"area": "@grid"}),
    "GET /api/v1/houses/{house_id}": Entry(Rule(REGISTER_READERS), {"house_id": "house"}),
    "GET /api/v1/households": Entry(Rule(REGISTER_READERS), query={"area": "@grid"}),
    "POST /api/v1/households": Entry(Rule(REGISTER_WRITERS, ok=201), body=_household, encoding="json"),
    "GET /api/v1/households/{household_id}": Entry(Rule(REGISTER_READERS), {"household_id": "household"}),
    "GET /api/v1/persons": Entry(Rule(REGISTER_READERS), query={"area": "@grid", "q": "测试"}),
    "POST /api/v1/persons": Entry(Rule(REGISTER_WRITERS, ok=201), body=_person, encoding="json"),
    "GET /api/v1/persons/{person_id}": Entry(Rule(REGISTER_READERS), {"person_id": "person"}),
    "PATCH /api/v1/persons/{person_id}": Entry(
        Rule(REGISTER_WRITERS), {"person_id": "person"}, body=lambda c: {"work": "矩阵"}, encoding="json"
    ),
    "POST /api/v1/persons/{person_id}/reveal": Entry(
        Rule(REVEALERS), {"person_id": "person"}, body=lambda c: REASON, encoding="json"
    ),
    "GET /api/v1/organizations": Entry(Rule(REGISTER_READERS), query={"area": "@grid"}),
    "GET /api/v1/organizations/{org_id}": Entry(Rule(REGISTER_READERS), {"org_id": "org"}),
    "GET /api/v1/objects": Entry(Rule(REGISTER_READERS), query={"area": "@grid"}),
    "GET /api/v1/objects/{object_id}": Entry(Rule(REGISTER_READERS), {"object_id": "object"}),
    "GET /api/v1/key-groups": Entry(Rule(REGISTER_READERS, scoped=False)),
    "POST /api/v1/imports": Entry(
        Rule(REGISTER_WRITERS, ok=202, scoped=False), body=_import, encoding="multipart"
    ),
    "GET /api/v1/imports/{job_id}": Entry(Rule(REGISTER_WRITERS), {"job_id": "job"}),
    "GET /api/v1/imports/{job_id}/errors": Entry(Rule(REGISTER_WRITERS), {"job_id": "job"}),
    "GET /api/v1/exports/{kind}": Entry(
        Rule(EXPORTERS), {"kind": "=persons"}, query={"area": "@grid", "format": "csv"}
    ),
    "POST /api/v1/exports/{kind}": Entry(
        Rule(EXPORTERS), {"kind": "=persons"}, body=_export, encoding="json"
    ),
    "POST /api/v1/cases": Entry(Rule(REGISTER_READERS, ok=201), body=_case_report, encoding="multipart"),
    "GET /api/v1/cases": Entry(Rule(CASE_STAFF), query={"area": "@grid"}),
    "GET /api/v1/cases/possible-duplicates": Entry(
        Rule(CASE_STAFF, scoped=False), query={"category": "E0104", "lon": "116.604", "lat": "39.904"}
    ),
    "GET /api/v1/cases/{case_id}": Entry(Rule(CASE_STAFF), {"case_id": "case"}),
    "POST /api/v1/cases/{case_id}/actions/{action}": Entry(
        Rule(CASE_DECIDERS, special={MEMBER: (403, 404), WORKER: (403, 404)}), CASE_ACTION, body=_act
    ),
    "POST /api/v1/cases/{case_id}/reveal": Entry(
        Rule(CASE_STAFF), {"case_id": "case"}, body=lambda c: REASON, encoding="json"
    ),
    "GET /api/v1/cases/{case_id}/timeline": Entry(Rule(CASE_STAFF), {"case_id": "case"}),
    "GET /api/v1/cases/{case_id}/duplicates": Entry(Rule(CASE_STAFF), {"case_id": "case"}),
    "GET /api/v1/categories": Entry(Rule(CASE_STAFF, scoped=False)),
    "GET /api/v1/indicators": Entry(Rule(CASE_STAFF), query={"area": "@grid"}),
    "POST /api/v1/public/reports": Entry(
        Rule(EVERYONE, ok=201, scoped=False), body=_public_report, encoding="multipart"
    ),
    "GET /api/v1/public/cases/{tracking_code}": Entry(PUBLIC, {"tracking_code": "tracking"}),
    "POST /api/v1/public/cases/{tracking_code}/rating": Entry(
        Rule(EVERYONE, ok=409, scoped=False),
        {"tracking_code": "tracking"},
        body=lambda c: {"rating": 5},
        encoding="json",
    ),
    "GET /api/v1/inbox": Entry(SIGNED),
    "POST /api/v1/inbox/{notification_id}/read": Entry(
        Rule(SIGNED_IN), {"notification_id": "notification"}, body=_no_body
    ),
    "GET /api/v1/webhooks": Entry(Rule(CONFIGURERS, scoped=False)),
    "POST /api/v1/webhooks": Entry(Rule(CONFIGURERS, ok=201), body=_webhook, encoding="json"),
    "PATCH /api/v1/webhooks/{subscription_id}": Entry(
        Rule(CONFIGURERS),
        {"subscription_id": "subscription"},
        body=lambda c: {"active": False},
        encoding="json",
    ),
    "GET /api/v1/webhooks/{subscription_id}/deliveries": Entry(
        Rule(CONFIGURERS), {"subscription_id": "subscription"}
    ),
}

# The back office: each model admin's views, by who may use them.
BACK_OFFICE_MODELS: dict[str, tuple[str, frozenset[str], frozenset[str]]] = {
    # model → (object kind, who reads it, who changes it)
    "areas_area": (
        "grid",
        frozenset({CENTRE, "street_staff", "district_staff"}),
        frozenset({"district_staff"}),
    ),
    "areas_areaboundary": (
        "boundary",
        frozenset({CENTRE, "street_staff", "district_staff"}),
        frozenset({"district_staff"}),
    ),
    "core_auditevent": ("audit_event", AUDITORS, frozenset()),
    "core_recordhistory": ("history", AUDITORS, frozenset()),
    "accounts_user": ("user", ACCOUNT_MANAGERS, ACCOUNT_MANAGERS),
    "accounts_roleassignment": ("role", ACCOUNT_MANAGERS, ACCOUNT_MANAGERS),
    "registry_organization": (
        "org",
        frozenset({CENTRE, "street_staff", "district_staff"}),
        frozenset({CENTRE}),
    ),
    "registry_building": (
        "building",
        frozenset({CENTRE, "street_staff", "district_staff"}),
        frozenset({CENTRE}),
    ),
    "registry_house": ("house", frozenset({CENTRE, "street_staff", "district_staff"}), frozenset({CENTRE})),
    "registry_household": (
        "household",
        frozenset({CENTRE, "street_staff", "district_staff"}),
        frozenset({CENTRE}),
    ),
    "registry_person": ("person", frozenset({CENTRE, "street_staff", "district_staff"}), frozenset({CENTRE})),
    "registry_facilityobject": (
        "object",
        frozenset({CENTRE, "street_staff", "district_staff"}),
        frozenset({CENTRE}),
    ),
    "registry_persontag": ("tag", frozenset({CENTRE, "street_staff", "district_staff"}), frozenset({CENTRE})),
}


def _back_office() -> dict[str, Entry]:
    entries: dict[str, Entry] = {
        "GET admin:index": Entry(Rule(BACK_OFFICE, scoped=False, refused=302)),
        "GET admin:login": Entry(Rule(EVERYONE, scoped=False)),
        "POST admin:logout": Entry(Rule(BACK_OFFICE, scoped=False, refused=302, anon=302), body=_no_body),
        "GET admin:password_change": Entry(Rule(BACK_OFFICE, scoped=False, refused=302)),
        "GET admin:password_change_done": Entry(Rule(BACK_OFFICE, scoped=False, refused=302)),
        "GET admin:autocomplete": Entry(Rule(BACK_OFFICE, ok=403, scoped=False, refused=302)),
        "GET admin:jsi18n": Entry(Rule(BACK_OFFICE, scoped=False, refused=302)),
        "GET admin:view_on_site": Entry(
            Rule(BACK_OFFICE, ok=404, scoped=False, refused=302), {"content_type_id": "=1", "object_id": "=1"}
        ),
        "GET admin:app_list": Entry(Rule(BACK_OFFICE, scoped=False, refused=302), {"app_label": "=registry"}),
        "GET admin:(?P<url>.*)$": Entry(Rule(BACK_OFFICE, ok=404, scoped=False, refused=302)),
    }
    for model, (kind, readers, changers) in BACK_OFFICE_MODELS.items():
        entries[f"GET admin:{model}_changelist"] = Entry(Rule(readers, scoped=False, refused=403))
        entries[f"GET admin:{model}_add"] = Entry(Rule(changers, scoped=False, refused=403))
        for view in ("change", "history"):
            entries[f"GET admin:{model}_{view}"] = Entry(Rule(readers, refused=403), {"object_id": kind})
        app, name = model.split("_", 1)
        # Django's old change URL: a redirect to the change page for everyone, checked there.
        entries[f"GET admin:{app}/{name}/<path:object_id>/"] = Entry(
            Rule(EVERYONE, ok=302, scoped=False), {"object_id": kind}
        )
        entries[f"GET admin:{model}_delete"] = Entry(Rule(changers, refused=403), {"object_id": kind})
        entries[f"POST admin:{model}_delete"] = Entry(
            Rule(changers, ok=302, refused=403), {"object_id": kind}, body=lambda c: {"post": "yes"}
        )
    return entries


TABLE: dict[str, Entry] = {**PAGES, **OPEN311, **API_OPEN, **API, **_back_office()}

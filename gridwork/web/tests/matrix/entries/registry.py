"""Entries of the register: an area's people, organisations and objects, a building's, household's
and person's pages, reveals and duplicates; the register's API and its back office."""

from __future__ import annotations

from gridwork.web.tests.matrix.backoffice import model_entries
from gridwork.web.tests.matrix.district import point
from gridwork.web.tests.matrix.rules import (
    CENTRE,
    DISTRICT,
    MEMBER,
    REASON,
    REGISTER_READERS,
    REGISTER_WRITERS,
    REVEALERS,
    SIGNED,
    STREET,
    Ctx,
    Entry,
    Rule,
    api_list,
    api_object,
    second_factor,
)

AREA_STAFF = frozenset({CENTRE, STREET, DISTRICT})
CENTRES = frozenset({CENTRE})
BREAKERS = frozenset({STREET, DISTRICT})
# Street and district staff read the register but do not write it: in scope refused (403), and a
# reference outside it is as missing (422).
READ_ONLY = {STREET: (403, 422), DISTRICT: (403, 422)}


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


def _merge(c: Ctx) -> dict:
    return {"keep": c.t("person"), "merge": c.t("twin"), **REASON}


def _list(path: str, lists: bool = True) -> dict[str, Entry]:
    rule = api_list(REGISTER_READERS)
    return {f"GET /api/v1/{path}": Entry(rule, query={"area": "@grid"}, lists=lists)}


def _one(path: str, param: str, kind: str) -> dict[str, Entry]:
    return {f"GET /api/v1/{path}/{{{param}}}": Entry(api_object(REGISTER_READERS), {param: kind})}


PAGES: dict[str, Entry] = {
    "GET web:area_people": Entry(Rule(REGISTER_READERS), {"code": "grid"}, query={"q": "测试"}, lists=True),
    "GET web:area_organisations": Entry(Rule(REGISTER_READERS), {"code": "grid"}, lists=True),
    "GET web:area_objects": Entry(Rule(REGISTER_READERS), {"code": "grid"}, lists=True),
    "GET web:building": Entry(Rule(REGISTER_READERS), {"pk": "building"}),
    "GET web:household": Entry(Rule(REGISTER_READERS), {"pk": "household"}),
    "GET web:person": Entry(Rule(REGISTER_READERS), {"pk": "person"}),
    "POST web:person_reveal": Entry(Rule(REVEALERS), {"pk": "person"}, body=lambda c: REASON),
    # Break the glass: street and district staff only. The identifier names nothing: a refusal
    # answers 200 like the empty form, whatever the identifier names.
    "GET web:break_glass": Entry(Rule(BREAKERS, scoped=False)),
    "POST web:break_glass": Entry(
        Rule(BREAKERS, scoped=False), body=lambda c: {"identifier": "NOTHING0000", **REASON}
    ),
    "GET web:duplicates": Entry(Rule(REGISTER_WRITERS, scoped=False)),
    "POST web:duplicates_merge": Entry(Rule(REGISTER_WRITERS, ok=302), body=_merge),
}

API: dict[str, Entry] = {
    **_list("buildings"),
    **_one("buildings", "building_id", "building"),
    **_list("houses", lists=False),  # a house shows its room and building id: no name or code
    **_one("houses", "house_id", "house"),
    **_list("households"),
    **_one("households", "household_id", "household"),
    **_list("organizations"),
    **_one("organizations", "org_id", "org"),
    **_list("objects"),
    **_one("objects", "object_id", "object"),
    "GET /api/v1/persons": Entry(
        api_list(REGISTER_READERS), query={"area": "@grid", "q": "测试"}, lists=True
    ),
    **_one("persons", "person_id", "person"),
    # A building is placed by its point: outside one's area the point is refused (403); grid
    # boundaries are public (the atlas), so that names no record.
    "POST /api/v1/buildings": Entry(
        Rule(REGISTER_WRITERS, ok=201, hidden=403, like_missing=False), body=_building, encoding="json"
    ),
    # A household or person names its house or household: one outside the scope is as missing (422).
    "POST /api/v1/households": Entry(
        Rule(REGISTER_WRITERS, ok=201, refused=422, hidden=422, special=READ_ONLY),
        body=_household,
        encoding="json",
    ),
    "POST /api/v1/persons": Entry(
        Rule(REGISTER_WRITERS, ok=201, refused=422, hidden=422, special=READ_ONLY),
        body=_person,
        encoding="json",
    ),
    "PATCH /api/v1/persons/{person_id}": Entry(
        api_object(REGISTER_WRITERS, special={STREET: (403, 404), DISTRICT: (403, 404)}),
        {"person_id": "person"},
        body=lambda c: {"work": "矩阵"},
        encoding="json",
    ),
    "POST /api/v1/persons/{person_id}/reveal": Entry(
        api_object(REVEALERS, special={MEMBER: (403, 404)}, token=second_factor(REVEALERS)),
        {"person_id": "person"},
        body=lambda c: REASON,
        encoding="json",
    ),
    # The key groups are a vocabulary, the same for everyone signed in.
    "GET /api/v1/key-groups": Entry(SIGNED),
}

BACK_OFFICE: dict[str, Entry] = {
    **model_entries("registry_organization", "org", AREA_STAFF, CENTRES, CENTRES),
    # A building with houses is protected: its delete page says so (200) and deletes nothing.
    **model_entries(
        "registry_building", "building", AREA_STAFF, CENTRES, CENTRES, deleted={CENTRE: (200, 404)}
    ),
    **model_entries("registry_house", "house", AREA_STAFF, CENTRES, CENTRES),
    # A household that was visited is protected like a building with houses: the visit keeps it.
    **model_entries(
        "registry_household", "household", AREA_STAFF, CENTRES, CENTRES, deleted={CENTRE: (200, 404)}
    ),
    **model_entries("registry_person", "person", AREA_STAFF, CENTRES, CENTRES),
    **model_entries("registry_facilityobject", "object", AREA_STAFF, CENTRES, CENTRES),
    **model_entries("registry_persontag", "tag", AREA_STAFF, CENTRES, CENTRES),
}

ENTRIES: dict[str, Entry] = {**PAGES, **API, **BACK_OFFICE}

"""Entries of the areas app: an area's page, the API's areas, and the area tree's back office."""

from __future__ import annotations

from gridwork.web.tests.matrix.backoffice import model_entries
from gridwork.web.tests.matrix.rules import (
    AREA_READERS,
    CENTRE,
    DEPARTMENT,
    DISTRICT,
    REGISTER_READERS,
    SIGNED,
    STREET,
    Entry,
    Rule,
    api_object,
)

AREA_STAFF = frozenset({CENTRE, STREET, DISTRICT})

ENTRIES: dict[str, Entry] = {
    "GET web:area": Entry(Rule(AREA_READERS), {"code": "grid"}),
    # The areas one may see (none without a role): a list scoped like every other.
    "GET /api/v1/areas": Entry(SIGNED),
    "GET /api/v1/areas/{code}": Entry(api_object(AREA_READERS), {"code": "grid"}),
    "GET /api/v1/areas/{code}/boundary": Entry(api_object(AREA_READERS), {"code": "grid"}),
    # A department sees its area but not the register's counts in it.
    "GET /api/v1/areas/{code}/stats": Entry(
        api_object(REGISTER_READERS, special={DEPARTMENT: (403, 404)}), {"code": "grid"}
    ),
    # Areas are never deleted (people, houses and cases hang on them); the district draws them.
    **model_entries("areas_area", "area", AREA_STAFF, frozenset({DISTRICT})),
    **model_entries("areas_areaboundary", "boundary", AREA_STAFF, frozenset({DISTRICT})),
}

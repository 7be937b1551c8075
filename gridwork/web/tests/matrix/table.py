"""The authorization matrix's table: one entry per route and method, gathered from one module per
app under `entries/` (pages, API operations, Open311, back office).

A route the project mounts without an entry fails gridwork/web/tests/test_access_matrix.py, and so
does an entry whose route is gone. Keys: "METHOD namespace:name" for URL patterns,
"METHOD /api/v1/path" for the API's operations (as ninja declares them).
"""

from __future__ import annotations

from types import ModuleType

from gridwork.web.tests.matrix.entries import (
    accounts,
    areas,
    cases,
    core,
    fieldwork,
    notify,
    open311,
    registry,
    transfer,
)
from gridwork.web.tests.matrix.rules import Entry

# A new app's routes: a module under entries/ with its ENTRIES, named here.
APPS: tuple[ModuleType, ...] = (core, accounts, areas, registry, cases, open311, notify, transfer, fieldwork)


def _gather() -> dict[str, Entry]:
    table: dict[str, Entry] = {}
    for module in APPS:
        twice = sorted(set(table) & set(module.ENTRIES))
        assert not twice, f"{module.__name__} declares routes another module declares: {twice}"
        table.update(module.ENTRIES)
    return table


TABLE: dict[str, Entry] = _gather()

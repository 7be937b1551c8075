"""Field work's routes (issue 14), not yet in the matrix.

They landed together on 2026-12-07 with a scope ladder of their own for every endpoint
(gridwork/fieldwork/tests/test_*_api.py, gridwork/web/tests/test_fieldwork_*_pages.py), but their
entries here, and the field-work objects in the matrix's district that the entries need, are not
written yet. Until they are, the routes under these prefixes are counted and named in the matrix's
summary line instead of failing it; any other route without an entry still fails. Issue 12 stays
open until this list is empty.
"""

from __future__ import annotations

from gridwork.web.tests.matrix.rules import Entry

ENTRIES: dict[str, Entry] = {}

NOT_YET: tuple[str, ...] = ("web:patrol", "web:fieldwork_", "/api/v1/patrol", "/api/v1/fieldwork/")


def not_yet(key: str) -> bool:
    """Whether a route key ("METHOD ref" or a bare ref) is one of field work's routes waiting here."""
    ref = key.split(" ", 1)[-1]
    return ref.startswith(NOT_YET)

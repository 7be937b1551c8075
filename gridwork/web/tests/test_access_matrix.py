"""The authorization matrix over every route (gridwork/web/tests/matrix/table.py): each principal ×
each route and method × an object in its scope and one outside it, against the table's answer.

The count of cases checked is printed in the terminal summary (gridwork/web/tests/conftest.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.test import override_settings

from gridwork.web.tests.matrix.district import PRINCIPALS, build_matrix_district
from gridwork.web.tests.matrix.rules import REGISTER_READERS, Entry, Rule
from gridwork.web.tests.matrix.runner import Matrix, missing_and_stale
from gridwork.web.tests.matrix.table import TABLE

pytestmark = pytest.mark.django_db

FAST_HASHING = ["django.contrib.auth.hashers.MD5PasswordHasher"]
INLINE_TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(scope="module")
def matrix(django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: Any) -> Iterator[Matrix]:
    """The fixture district, built once for the module and rolled back after it."""
    folder = tmp_path_factory.mktemp("matrix")
    with (
        django_db_blocker.unblock(),
        override_settings(
            PASSWORD_HASHERS=FAST_HASHING, TASKS=INLINE_TASKS, MEDIA_ROOT=folder / "media", VAR_DIR=folder
        ),
        transaction.atomic(),
    ):
        make_password("warm the hasher")
        yield Matrix(build_matrix_district())
        transaction.set_rollback(True)


def _cases() -> Iterator[Any]:
    for key, entry in TABLE.items():
        pending = dict(entry.rule.pending)
        held = tuple(p for p in PRINCIPALS if p not in pending)
        yield pytest.param(key, held, id=key)
        for reason in sorted(set(pending.values())):
            who = tuple(p for p in PRINCIPALS if pending.get(p) == reason)
            mark = pytest.mark.xfail(strict=True, reason=reason)
            yield pytest.param(key, who, id=f"{key} [{','.join(who)}]", marks=mark)


@pytest.mark.parametrize(("key", "principals"), list(_cases()))
def test_route_answers_as_the_table_says(matrix: Matrix, key: str, principals: tuple[str, ...]) -> None:
    problems = matrix.check(key, TABLE[key], principals)
    assert not problems, "\n".join(problems)


def test_every_route_has_an_entry_and_every_entry_a_route() -> None:
    missing, stale = missing_and_stale(TABLE)
    assert not missing, (
        f"routes without an entry in the authorization matrix: {missing}; add each to the ENTRIES "
        "of its app's module in gridwork/web/tests/matrix/entries/ (a new app: a new module, named "
        "in APPS of gridwork/web/tests/matrix/table.py)"
    )
    assert not stale, f"entries of the authorization matrix whose route is gone: {stale}"


def test_a_route_without_an_entry_is_caught() -> None:
    missing, _stale = missing_and_stale(TABLE, "gridwork.web.tests.matrix.leaky_urls")
    assert missing == ["leak"]


def test_the_unscoped_route_fails_its_entry(matrix: Matrix) -> None:
    # Declared as a register page should be, the leaky route answers out of scope with the person.
    with override_settings(ROOT_URLCONF="gridwork.web.tests.matrix.leaky_urls"):
        problems = matrix.check("GET leak", Entry(Rule(REGISTER_READERS), {"pk": "person"}), ("grid_worker",))
    assert any("(out scope): 200, expected 404" in p for p in problems)
    assert any("showing" in p for p in problems)

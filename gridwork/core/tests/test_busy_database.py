"""A write that cannot get the database's write lock in time answers 503 "busy, try again" with
Retry-After, on the pages and in the API, and writes nothing; the SQLite settings give up with
that error after the busy timeout instead of waiting without limit."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from unittest import mock

import pytest
from django.db import OperationalError
from django.db.backends.sqlite3.base import DatabaseWrapper

from gridwork.api.tests.conftest import API, token_client
from gridwork.cases.models import Case
from gridwork.conftest import GRID_A1, District
from gridwork.core.middleware import is_busy

LOCKED = OperationalError("database is locked")


@pytest.mark.django_db
def test_sqlite_gives_up_after_the_busy_timeout(tmp_path: Path) -> None:
    path = tmp_path / "locked.sqlite3"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("PRAGMA journal_mode=WAL")
    holder.execute("CREATE TABLE t (x INTEGER)")
    holder.execute("BEGIN IMMEDIATE")  # another process's write transaction, held
    settings = {
        "NAME": str(path),
        "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 0.2},
        **{key: None for key in ("USER", "PASSWORD", "HOST", "PORT")},
        "ENGINE": "django.db.backends.sqlite3",
        "TIME_ZONE": None,
        "CONN_MAX_AGE": 0,
        "CONN_HEALTH_CHECKS": False,
        "AUTOCOMMIT": True,
        "ATOMIC_REQUESTS": False,
        "TEST": {},
    }
    waiter = DatabaseWrapper(settings, alias="busy_test")
    started = time.monotonic()
    try:
        with pytest.raises(OperationalError) as caught:
            waiter.set_autocommit(False)  # BEGIN IMMEDIATE, as transaction.atomic() starts one
            waiter.cursor().execute("INSERT INTO t VALUES (1)")
        assert is_busy(caught.value)
        assert time.monotonic() - started < 5
    finally:
        waiter.close()
        holder.execute("ROLLBACK")
        holder.close()


def test_a_page_write_answers_busy(district: District) -> None:
    client = district.client("worker_a1")
    form = {"category": "E0104", "title": "t", "building": district.buildings[GRID_A1].pk}
    with mock.patch("gridwork.cases.services.report_case", side_effect=LOCKED):
        response = client.post("/cases/new/", form)
    assert response.status_code == 503
    assert response["Retry-After"].isdigit()
    assert Case.objects.count() == 0


def test_an_api_write_answers_busy(district: District) -> None:
    client = token_client(district.users["worker_a1"])
    form = {"category": "E0104", "title": "t", "building_id": district.buildings[GRID_A1].pk}
    with mock.patch("gridwork.cases.services.report_case", side_effect=LOCKED):
        response = client.post(f"{API}/cases", form)
    assert response.status_code == 503
    assert response["Retry-After"].isdigit() and response.json()["detail"]


def test_other_database_errors_stay_errors() -> None:
    assert not is_busy(OperationalError("no such table: x"))
    assert not is_busy(ValueError("database is locked"))

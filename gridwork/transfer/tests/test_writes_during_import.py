"""The register takes other writes while a person file is being written: the import holds the
write lock one batch at a time, so a web write waits for a batch, not for the whole file."""

from __future__ import annotations

import io
import queue
import sqlite3
import threading
from typing import Any

import pytest
from django.db import connection, connections

from gridwork.conftest import GRID_A1
from gridwork.core.system import SYSTEM
from gridwork.registry import services as registry
from gridwork.registry.models import Person
from gridwork.transfer import person_check, services
from gridwork.transfer.tests.helpers import csv_bytes, person_row, unique_id

ROWS = 3000


@pytest.fixture
def file_database(district: Any, tmp_path: Any) -> Any:
    """On SQLite, the test database copied to a file and used from here on by every thread: an
    in-memory database has no writer lock between connections to speak of. PostgreSQL as it is."""
    if connection.vendor != "sqlite":
        yield district
        return
    path = tmp_path / "gridwork.sqlite3"
    target = sqlite3.connect(path)
    connection.ensure_connection()
    connection.connection.backup(target)
    target.close()
    in_memory, kept = connections.settings["default"], connections["default"]
    connections.settings["default"] = {**in_memory, "NAME": str(path)}
    connections["default"] = connections.create_connection("default")
    try:
        yield district
    finally:
        connections["default"].close()
        connections.settings["default"] = in_memory
        connections["default"] = kept


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_register_writes_succeed_between_the_batches_of_an_import(file_database, monkeypatch):
    district = file_database
    monkeypatch.setattr(person_check, "BATCH_ROWS", 1000)
    monkeypatch.setattr(services, "PROGRESS_EVERY", 1000)  # the callback after every batch
    household = district.households[GRID_A1].pk
    rows = [person_row(i, f"H{GRID_A1}") for i in range(ROWS)]
    job = services.start_import(
        SYSTEM,
        "persons",
        io.BytesIO(csv_bytes("persons", rows)),
        "f.csv",
        "all_or_nothing",
        "en",
        enqueue=False,
    )
    events: list[tuple[str, Any]] = []
    asks: queue.Queue[int | None] = queue.Queue()
    answers: queue.Queue[str] = queue.Queue()

    def web_writer() -> None:
        # Another connection: a grid worker registering people while the file is written.
        try:
            while (serial := asks.get(timeout=60)) is not None:
                try:
                    person = registry.save_record(
                        district.users["worker_a1"],
                        Person,
                        {
                            "household": household,
                            "name": "窗口登记",
                            "id_number": unique_id(900_000 + serial),
                        },
                    )
                    events.append(("web", person.pk))
                    answers.put("ok")
                except Exception as exc:  # noqa: BLE001 - the test reports what the writer met
                    answers.put(repr(exc))
        finally:
            connections.close_all()

    def progress(done: int, total: int, errors: int, written: int | None = None) -> None:
        if written:
            # Called once a batch has committed and before the next begins: a write now must not
            # wait for the rest of the file.
            events.append(("batch", written))
            asks.put(written)
            events.append(("web answered", answers.get(timeout=30)))

    outcome: dict[str, Any] = {}

    def importer() -> None:
        try:
            outcome["job"] = services.run_import(job.pk, progress=progress)
        except Exception as exc:  # noqa: BLE001
            outcome["error"] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=web_writer), threading.Thread(target=importer)]
    for thread in threads:
        thread.start()
    threads[1].join(timeout=120)
    asks.put(None)
    threads[0].join(timeout=30)
    assert "error" not in outcome, outcome
    assert (outcome["job"].status, outcome["job"].created) == ("done", ROWS)
    # The import committed in three transactions, and a web write went in after each of them.
    assert [kind for kind, _value in events] == ["batch", "web", "web answered"] * 3
    assert [value for kind, value in events if kind == "web answered"] == ["ok"] * 3
    assert [value for kind, value in events if kind == "batch"] == [1000, 2000, 3000]
    assert Person.objects.filter(name="窗口登记").count() == 3
    assert Person.objects.filter(name__startswith="导入").count() == ROWS

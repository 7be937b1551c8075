"""The audit log and the record history are append-only: in the ORM, and in the database (PostgreSQL
and SQLite triggers)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction

from gridwork.core import audit
from gridwork.core.models import AppendOnlyError, AuditEvent, RecordHistory
from gridwork.core.system import SYSTEM


@pytest.fixture
def entries(db: Any) -> tuple[AuditEvent, RecordHistory]:
    event = audit.log(AuditEvent.Action.EXPORT, SYSTEM, object_type="registry.person", area_code="110112")
    history = RecordHistory.objects.create(
        actor_label="system",
        object_type="registry.person",
        object_id="1",
        action="update",
        before={"name": "甲"},
        after={"name": "乙"},
    )
    return event, history


def test_orm_refuses_update_and_delete(entries: tuple[AuditEvent, RecordHistory]) -> None:
    for entry in entries:
        model = type(entry)
        entry.reason = "changed"
        with pytest.raises(AppendOnlyError):
            entry.save()
        with pytest.raises(AppendOnlyError):
            entry.delete()
        with pytest.raises(AppendOnlyError):
            model.objects.filter(pk=entry.pk).update(action="delete")
        with pytest.raises(AppendOnlyError):
            model.objects.filter(pk=entry.pk).delete()
        with pytest.raises(AppendOnlyError):
            model.objects.all().delete()
        assert model.objects.filter(pk=entry.pk).exists()
    assert AuditEvent.objects.get(pk=entries[0].pk).reason == ""


@pytest.mark.parametrize("table", ["core_auditevent", "core_recordhistory"])
@pytest.mark.parametrize("statement", ["UPDATE {table} SET action = 'x'", "DELETE FROM {table}"])
def test_database_trigger_refuses_raw_sql(
    entries: tuple[AuditEvent, RecordHistory], table: str, statement: str
) -> None:
    with (
        pytest.raises(DatabaseError, match="append-only"),  # IntegrityError on SQLite: a DatabaseError
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement.format(table=table))
    assert AuditEvent.objects.count() == 1
    assert RecordHistory.objects.get().action == "update"


def test_history_keeps_changed_fields_only(db: Any) -> None:
    from gridwork.areas.models import Area

    area = Area(pk=1, code="110112", name="甲区", level=1)
    before = audit.snapshot(area)
    area.name = "乙区"
    entry = audit.write_history(SYSTEM, area, "update", before, audit.snapshot(area))
    assert entry is not None
    assert (entry.before, entry.after) == ({"name": "甲区"}, {"name": "乙区"})
    assert entry.area_code == "110112"
    assert entry.actor_label == "system"
    event = AuditEvent.objects.get(action="update")
    assert event.detail == {"fields": ["name"]}
    # Nothing changed: nothing written.
    assert audit.write_history(SYSTEM, area, "update", audit.snapshot(area), audit.snapshot(area)) is None
    assert RecordHistory.objects.count() == 1

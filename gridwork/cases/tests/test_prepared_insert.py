"""core.prepared.insert writes exactly the row save() writes, and is save() wherever save() would
do more than one INSERT."""

from __future__ import annotations

import datetime as dt
from typing import Any
from unittest import mock

import pytest
from django.db import IntegrityError, transaction
from django.db.models import Value
from django.db.models.functions import Upper
from django.db.models.signals import pre_save

from gridwork.cases.models import Action, Case, CaseEvent
from gridwork.cases.tests.helpers import report
from gridwork.conftest import District
from gridwork.core import prepared
from gridwork.core.models import AuditEvent

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2031, 5, 6, 7, 8, 9, 123456, tzinfo=dt.UTC)


def _row(model: Any, pk: int) -> dict[str, Any]:
    """Every column of the row as read back, but its key."""
    values = model.objects.filter(pk=pk).values().get()
    values.pop("id")
    return values


def _both(make: Any) -> tuple[Any, Any]:
    """The same new instance written by save() and by prepared.insert, at the same moment."""
    with mock.patch("django.utils.timezone.now", return_value=NOW):
        saved, inserted = make(), make()
        saved.save()
        prepared.insert(inserted)
    assert inserted.pk is not None and inserted.pk != saved.pk
    assert not inserted._state.adding
    return saved, inserted


def test_a_case_an_event_and_an_audit_entry_are_written_as_save_writes_them(cd: District) -> None:
    first = report(cd, "worker_a1", title="东门乱堆物料")
    fields = {
        f.attname: getattr(first, f.attname)
        for f in Case._meta.concrete_fields
        if not f.primary_key and f.attname != "tracking_code"
    }
    codes = iter(["T0000000001", "T0000000002"])
    saved, inserted = _both(lambda: Case(**fields, tracking_code=next(codes)))
    expected, written = _row(Case, saved.pk), _row(Case, inserted.pk)
    assert expected.pop("tracking_code") == "T0000000001" and written.pop("tracking_code") == "T0000000002"
    assert written == expected and written["updated_at"] == NOW  # auto_now, as save() sets it

    def event() -> CaseEvent:
        return CaseEvent(
            case=first,
            action=Action.UPDATE,
            actor=cd.users["worker_a1"],
            actor_label="worker_a1",
            at=NOW - dt.timedelta(minutes=5),
            note="现场照片",
            detail={"area": "110112001", "n": [1, 2]},
        )

    saved, inserted = _both(event)
    assert _row(CaseEvent, inserted.pk) == _row(CaseEvent, saved.pk)

    def entry() -> AuditEvent:
        return AuditEvent(action=AuditEvent.Action.CREATE, object_type="t", detail={"k": "值"})

    saved, inserted = _both(entry)
    assert _row(AuditEvent, inserted.pk) == _row(AuditEvent, saved.pk)
    assert inserted.at == NOW  # auto_now_add, set on the instance as save() does


def test_with_a_save_receiver_it_is_save(cd: District) -> None:
    seen: list[Any] = []

    def receiver(sender: Any, instance: Any, **kwargs: Any) -> None:
        seen.append(instance)

    pre_save.connect(receiver, sender=AuditEvent)
    try:
        entry = AuditEvent(action=AuditEvent.Action.CREATE, object_type="t")
        prepared.insert(entry)
    finally:
        pre_save.disconnect(receiver, sender=AuditEvent)
    assert seen == [entry] and AuditEvent.objects.filter(pk=entry.pk).exists()


def test_an_expression_value_is_left_to_save(cd: District) -> None:
    entry = AuditEvent(action=AuditEvent.Action.CREATE, object_type=Upper(Value("shouted")))
    prepared.insert(entry)
    assert AuditEvent.objects.get(pk=entry.pk).object_type == "SHOUTED"


def test_a_failed_insert_fails_its_transaction(cd: District) -> None:
    case = report(cd, "worker_a1", title="东门乱堆物料")
    fields = {f.attname: getattr(case, f.attname) for f in Case._meta.concrete_fields if not f.primary_key}
    with pytest.raises(IntegrityError), transaction.atomic():
        prepared.insert(Case(**fields))  # the same tracking code: unique
    assert Case.objects.filter(tracking_code=case.tracking_code).count() == 1

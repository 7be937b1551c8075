"""Retention of the audit log: `gridwork purge_audit` removes exactly the entries past the retention
of their kind, through the database triggers, and says so in an entry of its own."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any
from unittest import mock

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from gridwork.core import audit
from gridwork.core.audit_retention import purge_expired
from gridwork.core.models import AuditEvent, AuditPurgeWindow
from gridwork.core.system import SYSTEM

NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)


def entry_at(at: dt.datetime, action: str) -> AuditEvent:
    # `at` is stamped by auto_now_add from timezone.now(); an entry of the past is written "then".
    with mock.patch("django.utils.timezone.now", return_value=at):
        return audit.log(action, SYSTEM, object_type="registry.person", object_id="1")


@pytest.fixture
def entries(db: Any) -> dict[str, AuditEvent]:
    days = dt.timedelta(days=1)
    return {
        "old_login": entry_at(NOW - 200 * days, AuditEvent.Action.LOGIN),
        "recent_login": entry_at(NOW - 100 * days, AuditEvent.Action.LOGIN),
        # Older than six months but younger than three years: a reveal stays.
        "old_reveal": entry_at(NOW - 400 * days, AuditEvent.Action.REVEAL),
        "ancient_reveal": entry_at(NOW - 1200 * days, AuditEvent.Action.REVEAL),
        "ancient_export": entry_at(NOW - 1100 * days, AuditEvent.Action.EXPORT),
        "recent_export": entry_at(NOW - 1000 * days, AuditEvent.Action.EXPORT),
    }


def test_defaults_keep_logins_six_months_and_reveals_and_exports_three_years(
    entries: dict[str, AuditEvent],
) -> None:
    removed = purge_expired(SYSTEM, now=NOW)
    assert removed == {"login": 1, "reveal": 1, "export": 1}
    left = set(AuditEvent.objects.exclude(action="purge").values_list("pk", flat=True))
    assert left == {entries[k].pk for k in ("recent_login", "old_reveal", "recent_export")}
    own = AuditEvent.objects.get(action=AuditEvent.Action.PURGE)
    assert own.actor_label == "system"
    assert own.detail["removed"] == removed and own.detail["total"] == 3
    assert AuditPurgeWindow.objects.count() == 0  # the windows closed with the purge


def test_retention_is_configurable_by_kind_and_never_below_the_floor(
    entries: dict[str, AuditEvent], settings: Any
) -> None:
    settings.AUDIT_RETENTION_DAYS = {**settings.AUDIT_RETENTION_DAYS, "login": 300}
    assert purge_expired(SYSTEM, now=NOW) == {"reveal": 1, "export": 1}
    assert AuditEvent.objects.filter(pk=entries["old_login"].pk).exists()
    settings.AUDIT_RETENTION_DAYS = {**settings.AUDIT_RETENTION_DAYS, "reveal": 365}
    with pytest.raises(ImproperlyConfigured, match="reveal"):
        purge_expired(SYSTEM, now=NOW)
    assert AuditEvent.objects.filter(pk=entries["old_reveal"].pk).exists()


def test_the_command_reports_what_it_removed(entries: dict[str, AuditEvent]) -> None:
    out = StringIO()
    with mock.patch("django.utils.timezone.now", return_value=NOW):
        call_command("purge_audit", stdout=out)
    assert "login: 1 removed" in out.getvalue()
    assert not AuditEvent.objects.filter(pk=entries["old_login"].pk).exists()


def _raw_delete(pk: int) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditevent WHERE id = %s", [pk])


def test_the_trigger_lets_through_only_what_a_window_covers(entries: dict[str, AuditEvent]) -> None:
    old_login, recent_login = entries["old_login"], entries["recent_login"]
    with pytest.raises(DatabaseError, match="append-only"):
        _raw_delete(old_login.pk)  # no window open
    with transaction.atomic():
        AuditPurgeWindow.objects.create(action="login", before=NOW - dt.timedelta(days=183))
        with pytest.raises(DatabaseError, match="append-only"):
            _raw_delete(recent_login.pk)  # younger than the window
        with pytest.raises(DatabaseError, match="append-only"):
            _raw_delete(entries["ancient_reveal"].pk)  # another kind
        _raw_delete(old_login.pk)
        AuditPurgeWindow.objects.all().delete()
    assert not AuditEvent.objects.filter(pk=old_login.pk).exists()
    assert AuditEvent.objects.count() == len(entries) - 1
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE core_auditevent SET reason = 'x' WHERE id = %s", [recent_login.pk])

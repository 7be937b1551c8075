"""How long audit entries are kept, and the purge of those past it (`gridwork purge_audit`).

The audit log is append-only in the application (core.models.AppendOnlyModel) and in the database
(triggers, migration core 0004). The purge is the one exception: it opens a window per kind of
entry in core_auditpurgewindow, inside its own transaction, deletes the entries the windows cover,
and closes the windows again before committing (see the migration for why this passes the
triggers and nothing else does).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.utils import timezone

from gridwork.core import audit
from gridwork.core.models import AuditEvent, AuditPurgeWindow

SIX_MONTHS_DAYS = 183
THREE_YEARS_DAYS = 1096

# The least each kind must be kept (the floor: logins six months; reveals, exports and
# break-the-glass three years). A setting below it is refused rather than quietly raised.
MINIMUM_DAYS: dict[str, int] = {
    AuditEvent.Action.LOGIN: SIX_MONTHS_DAYS,
    AuditEvent.Action.LOGIN_FAILED: SIX_MONTHS_DAYS,
    AuditEvent.Action.LOGIN_LOCKED: SIX_MONTHS_DAYS,
    AuditEvent.Action.LOGOUT: SIX_MONTHS_DAYS,
    AuditEvent.Action.REVEAL: THREE_YEARS_DAYS,
    AuditEvent.Action.EXPORT: THREE_YEARS_DAYS,
    AuditEvent.Action.BREAK_GLASS: THREE_YEARS_DAYS,
}
# A kind with no floor of its own is kept at least this long (the purge's own entries among them).
DEFAULT_MINIMUM_DAYS = SIX_MONTHS_DAYS


def retention_days(action: str) -> int:
    return int(settings.AUDIT_RETENTION_DAYS.get(action, settings.AUDIT_RETENTION_DEFAULT_DAYS))


def check_retention(actions: list[str]) -> None:
    """Refuse a configured retention below the floor of its kind."""
    short = [
        f"{action}: {retention_days(action)} < {MINIMUM_DAYS.get(action, DEFAULT_MINIMUM_DAYS)}"
        for action in actions
        if retention_days(action) < MINIMUM_DAYS.get(action, DEFAULT_MINIMUM_DAYS)
    ]
    if short:
        raise ImproperlyConfigured("Audit retention below the minimum (days): " + "; ".join(short))


def _delete_before(action: str, cutoff: dt.datetime) -> int:
    # The ORM's delete is refused for append-only models (AppendOnlyQuerySet); this is the one
    # deliberate DELETE, and the trigger checks it against the window opened for it.
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {table} WHERE action = %s AND at < %s",  # noqa: S608 (table name from the model)
            [action, connection.ops.adapt_datetimefield_value(cutoff)],
        )
        return cursor.rowcount


def purge_expired(actor: Any, *, now: dt.datetime | None = None) -> dict[str, int]:
    """Remove the audit entries older than the retention of their kind; returns {kind: removed}.

    Writes one audit entry of its own saying what it removed and up to when, in the same
    transaction as the removal.
    """
    now = now or timezone.now()
    with transaction.atomic():
        actions = sorted(set(AuditEvent.objects.values_list("action", flat=True).distinct()))
        check_retention(actions)
        cutoffs = {action: now - dt.timedelta(days=retention_days(action)) for action in actions}
        AuditPurgeWindow.objects.select_for_update().all().delete()  # a window left by nothing
        AuditPurgeWindow.objects.bulk_create(
            [AuditPurgeWindow(action=action, before=cutoff) for action, cutoff in cutoffs.items()]
        )
        removed = {action: _delete_before(action, cutoff) for action, cutoff in cutoffs.items()}
        AuditPurgeWindow.objects.all().delete()
        removed = {action: count for action, count in removed.items() if count}
        audit.log(
            AuditEvent.Action.PURGE,
            actor,
            object_type=AuditEvent._meta.label_lower,
            detail={
                "removed": removed,
                "total": sum(removed.values()),
                "before": {action: cutoffs[action].isoformat() for action in removed},
            },
        )
    return removed

"""Background tasks of notifications: recording a case event's notifications and sending them,
webhook deliveries and their retries, and the periodic overdue check.

They run in `gridwork db_worker` (inline in tests). The services do the work; this module queues
what follows from it. The overdue check is one chain of `check_overdue` tasks, each queueing the
next: `ensure_overdue_chain()` starts the chain unless one is already waiting (or running); it is
idempotent and safe to call from several processes at once (they queue on a lock row), so
`gridwork schedule_periodic` can run at every deploy and `gridwork run_all` at every start.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResultStatus, task, task_backends
from django_tasks.base import Task
from django_tasks_db.models import DBTaskResult

from gridwork.cases.models import CaseEvent
from gridwork.cases.services.overdue import flag_overdue
from gridwork.notify import services
from gridwork.notify.models import JobLock

log = logging.getLogger("gridwork.notify")

CHAIN = "check_overdue"
# A task left "running" longer than this belongs to a worker that died: it will not queue the next.
RUNNING_STALE_AFTER = dt.timedelta(hours=1)


def backend_defers(target: Task) -> bool:
    """Whether the task's backend can hold a task until `run_after` (the inline backend cannot)."""
    return bool(task_backends[target.backend].supports_defer)


# --- case events ---------------------------------------------------------------------------------


def record_and_send(case_id: int, event_id: int, *, event: CaseEvent | None = None) -> services.Recorded:
    """Record the notifications of a timeline entry, then queue their sending once that commits."""
    recorded = services.record_case_event(case_id, event_id, event=event)

    def start_sending() -> None:
        for note_id in recorded.notes_to_send:
            send_notification.enqueue(note_id)
        for delivery in recorded.deliveries:
            deliver_webhook.enqueue(delivery.pk)
        if recorded.resident_message:
            message_resident.enqueue(recorded.case_id, recorded.event_id, recorded.resident_message)

    if recorded.notes_to_send or recorded.deliveries or recorded.resident_message:
        transaction.on_commit(start_sending)
    return recorded


@task()
def record_case_event(case_id: int, event_id: int) -> int:
    """The inbox entries and webhook deliveries of one timeline entry (see services.record_case_event)."""
    recorded = record_and_send(case_id, event_id)
    return len(recorded.notes) + len(recorded.deliveries)


@task()
def send_notification(notification_id: int) -> dict[str, bool]:
    return services.send_notification(notification_id)


@task()
def message_resident(case_id: int, event_id: int, which: str) -> bool:
    return services.message_resident(case_id, event_id, which)


# --- webhooks ------------------------------------------------------------------------------------


@task()
def deliver_webhook(delivery_id: int) -> str:
    delivery = services.attempt_delivery(delivery_id)
    if delivery is None:
        return "missing"
    retry_at = getattr(delivery, "retry_at", None)
    if retry_at is not None and backend_defers(deliver_webhook):
        deliver_webhook.using(run_after=retry_at).enqueue(delivery_id)
    # A backend that cannot wait (inline, in tests) leaves the retry to the overdue check's sweep.
    return delivery.status


# --- the periodic overdue check ------------------------------------------------------------------


# Housekeeping of higher apps that runs with every periodic check, so one chain serves them all;
# each registers here from its AppConfig.ready (transfer: the sweep of old import files).
PERIODIC_HOOKS: list[Callable[[dt.datetime | None], object]] = []


def register_periodic(hook: Callable[[dt.datetime | None], object]) -> None:
    if hook not in PERIODIC_HOOKS:
        PERIODIC_HOOKS.append(hook)


def _run_hooks(now: dt.datetime | None) -> None:
    for hook in PERIODIC_HOOKS:
        try:
            hook(now)
        except Exception:  # one failing hook must not stop the others or the overdue check
            log.exception("periodic hook %s failed", getattr(hook, "__qualname__", hook))


def interval() -> dt.timedelta:
    return dt.timedelta(minutes=max(int(settings.OVERDUE_CHECK_MINUTES), 1))


def _waiting_runs(*, count_running: bool) -> int:
    qs = DBTaskResult.objects.filter(task_path=check_overdue.module_path)
    waiting = qs.filter(status=TaskResultStatus.READY).count()
    if count_running:
        fresh = timezone.now() - RUNNING_STALE_AFTER
        waiting += qs.filter(status=TaskResultStatus.RUNNING, started_at__gte=fresh).count()
    return waiting


def ensure_overdue_chain(*, delay: dt.timedelta | None = None, count_running: bool = True) -> bool:
    """Queue the next `check_overdue` unless one is already waiting; True when one was queued.

    Called by the running task itself with count_running=False (it is the running one).
    Without a backend that can defer tasks (the inline backend) there is no chain to keep.
    """
    if not backend_defers(check_overdue):
        return False
    with transaction.atomic():
        JobLock.objects.get_or_create(name=CHAIN)
        JobLock.objects.select_for_update().get(name=CHAIN)
        if _waiting_runs(count_running=count_running):
            return False
        check_overdue.using(run_after=timezone.now() + (delay or dt.timedelta(0))).enqueue()
    return True


def run_overdue_check(now: dt.datetime | None = None) -> int:
    """One run: flag what is overdue, re-queue lost webhook retries, keep the chain going."""
    try:
        flagged = flag_overdue(now)
        for delivery_id in services.lost_deliveries(now):
            deliver_webhook.enqueue(delivery_id)
        _run_hooks(now)
    finally:
        # Even when this run fails the chain goes on, so one bad run does not end the checking.
        ensure_overdue_chain(delay=interval(), count_running=False)
    if flagged:
        log.info("overdue check: %s case(s) flagged", flagged)
    return flagged


@task()
def check_overdue() -> int:
    """Flag overdue cases (which notifies and escalates them), then queue the next run."""
    return run_overdue_check()

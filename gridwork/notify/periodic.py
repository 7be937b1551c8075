"""The periodic overdue check: one chain of `check_overdue` tasks, each queueing the next.

`ensure_overdue_chain()` starts the chain unless one is already waiting (or running); it is
idempotent and safe to call from several processes at once (they queue on a lock row), so
`gridwork schedule_periodic` can run at every deploy and `gridwork run_all` at every start.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResultStatus

from gridwork.cases.services import flag_overdue
from gridwork.notify.models import JobLock

log = logging.getLogger("gridwork.notify")

CHAIN = "check_overdue"
# A task left "running" longer than this belongs to a worker that died: it will not queue the next.
RUNNING_STALE_AFTER = dt.timedelta(hours=1)


def interval() -> dt.timedelta:
    return dt.timedelta(minutes=max(int(settings.OVERDUE_CHECK_MINUTES), 1))


def _waiting_runs(*, count_running: bool) -> int:
    from django_tasks_db.models import DBTaskResult

    from gridwork.notify.tasks import check_overdue

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
    from gridwork.notify.tasks import backend_defers, check_overdue

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
    from gridwork.notify.services import requeue_lost_deliveries

    try:
        flagged = flag_overdue(now)
        requeue_lost_deliveries(now)
    finally:
        # Even when this run fails the chain goes on, so one bad run does not end the checking.
        ensure_overdue_chain(delay=interval(), count_running=False)
    if flagged:
        log.info("overdue check: %s case(s) flagged", flagged)
    return flagged

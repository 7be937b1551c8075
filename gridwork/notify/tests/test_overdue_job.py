"""The periodic overdue check: flags and notifies; exactly one chain of queued runs."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from gridwork.cases.models import Case
from gridwork.cases.tests.helpers import report
from gridwork.notify import tasks
from gridwork.notify.tasks import check_overdue

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def _past_deadline(case: Case) -> None:
    # Test setup: move the step deadline into the past instead of waiting for it.
    Case.objects.filter(pk=case.pk).update(step_deadline=timezone.now() - dt.timedelta(minutes=1))


def test_the_job_flags_an_overdue_case_and_notifies(cd: Any, commits: Any, inbox: Any) -> None:
    with commits():
        case = report(cd, "worker_a1", "E0104")
        late = report(cd, "worker_b1", "E0104", grid="110112104201001")
    inbox.new()
    _past_deadline(case)
    with commits():
        result = check_overdue.enqueue()
    assert result.status == TaskResultStatus.SUCCESSFUL and result.return_value == 1
    case.refresh_from_db()
    late.refresh_from_db()
    assert case.overdue and case.holder_area_id == "110112001" and case.escalation_level == 1
    assert not late.overdue
    # The holder (the community's centre) and the level above (the street) are told.
    assert inbox.new() == [("centre_a", "overdue"), ("street_a", "overdue")]
    with commits():
        assert check_overdue.enqueue().return_value == 0  # flagged once per step
    assert inbox.new() == []


def _chain() -> Any:
    return DBTaskResult.objects.filter(task_path=check_overdue.module_path)


@pytest.mark.parametrize("how", ["function", "command"])
def test_ensure_scheduled_starts_exactly_one_chain(cd: Any, settings: Any, how: str) -> None:
    settings.TASKS = DATABASE_TASKS
    for _time in range(3):
        if how == "command":
            call_command("schedule_periodic", stdout=io.StringIO())
        else:
            tasks.ensure_overdue_chain()
    assert _chain().filter(status=TaskResultStatus.READY).count() == 1


def test_each_run_queues_the_next_and_only_one(cd: Any, settings: Any, commits: Any) -> None:
    settings.TASKS = DATABASE_TASKS
    settings.OVERDUE_CHECK_MINUTES = 7
    assert tasks.ensure_overdue_chain() is True
    first = _chain().get()
    # A worker claims it ...
    DBTaskResult.objects.filter(pk=first.pk).update(
        status=TaskResultStatus.RUNNING, started_at=timezone.now()
    )
    # ... and while it runs, a restart asks for the chain again: the running one counts.
    assert tasks.ensure_overdue_chain() is False
    before = timezone.now()
    with commits():
        check_overdue.call()
    waiting = _chain().filter(status=TaskResultStatus.READY)
    assert waiting.count() == 1
    next_run = waiting.get().run_after
    assert before + dt.timedelta(minutes=7) <= next_run <= timezone.now() + dt.timedelta(minutes=7)
    assert tasks.ensure_overdue_chain() is False
    # A run left "running" by a dead worker does not block a new chain once the queued one is gone.
    waiting.delete()
    DBTaskResult.objects.filter(pk=first.pk).update(started_at=timezone.now() - dt.timedelta(hours=2))
    assert tasks.ensure_overdue_chain() is True


def test_inline_backend_keeps_no_chain(cd: Any) -> None:
    assert tasks.ensure_overdue_chain() is False
    assert not _chain().exists()


def test_with_a_worker_the_inbox_entries_are_written_in_the_background(
    cd: Any, settings: Any, commits: Any, inbox: Any
) -> None:
    """The request that reports a case queues one task per timeline entry, in its own transaction;
    the worker's run of it writes the inbox entries (and a second run adds nothing)."""
    from gridwork.notify.tasks import record_case_event

    settings.TASKS = DATABASE_TASKS
    inbox.new()
    with commits():
        report(cd, "worker_a1", title="楼道堆物")  # submitted: the acceptance centre is told
    assert inbox.new() == []  # nothing written by the request itself
    queued = DBTaskResult.objects.filter(
        task_path=record_case_event.module_path, status=TaskResultStatus.READY
    )
    [task] = list(queued)
    case_id, event_id = task.args_kwargs["args"]
    assert record_case_event.call(case_id, event_id) == 1  # what the worker runs
    assert inbox.new() == [("centre_a", "assigned")]
    assert record_case_event.call(case_id, event_id) == 0


def test_a_rolled_back_report_queues_nothing(cd: Any, settings: Any) -> None:
    from django.db import transaction

    from gridwork.notify.tasks import record_case_event

    settings.TASKS = DATABASE_TASKS
    with pytest.raises(RuntimeError), transaction.atomic():
        report(cd, "worker_a1", title="楼道堆物")
        assert DBTaskResult.objects.filter(task_path=record_case_event.module_path).count() == 1
        raise RuntimeError("the caller's transaction fails after the report")
    assert not DBTaskResult.objects.filter(task_path=record_case_event.module_path).exists()

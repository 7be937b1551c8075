"""Background tasks of notifications: recording a case event's notifications, sending them, webhook
deliveries and the periodic overdue check.

They run in `gridwork db_worker` (inline in tests). Each only calls a service.
"""

from __future__ import annotations

from django_tasks import task, task_backends
from django_tasks.base import Task

from gridwork.notify import periodic, services


def backend_defers(target: Task) -> bool:
    """Whether the task's backend can hold a task until `run_after` (the inline backend cannot)."""
    return bool(task_backends[target.backend].supports_defer)


@task()
def record_case_event(case_id: int, event_id: int) -> int:
    """The inbox entries and webhook deliveries of one timeline entry (see services.record_case_event)."""
    notes, deliveries = services.record_case_event(case_id, event_id)
    return len(notes) + len(deliveries)


@task()
def send_notification(notification_id: int) -> dict[str, bool]:
    return services.send_notification(notification_id)


@task()
def message_resident(case_id: int, event_id: int, which: str) -> bool:
    return services.message_resident(case_id, event_id, which)


@task()
def deliver_webhook(delivery_id: int) -> str:
    delivery = services.attempt_delivery(delivery_id)
    return delivery.status if delivery is not None else "missing"


@task()
def check_overdue() -> int:
    """Flag overdue cases (which notifies and escalates them), then queue the next run."""
    return periodic.run_overdue_check()

"""Fixtures of the notification tests: the cases district (`cd`), capturing senders, helpers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any

import pytest

from gridwork.cases.tests.conftest import cd  # noqa: F401 (re-exported fixture)
from gridwork.notify.models import Notification
from gridwork.notify.tests import senders

CommitRunner = Callable[[], AbstractContextManager[Any]]


@pytest.fixture(autouse=True)
def captured(settings: Any) -> Iterator[Any]:
    """Email and SMS go to lists instead of the log."""
    settings.NOTIFY_EMAIL_SENDER = "gridwork.notify.tests.senders.capture_email"
    settings.NOTIFY_SMS_SENDER = "gridwork.notify.tests.senders.capture_sms"
    settings.NOTIFY_TRACKING_URL = "https://grid.example.org/track/{code}/"
    senders.EMAILS.clear()
    senders.TEXTS.clear()
    yield senders
    senders.EMAILS.clear()
    senders.TEXTS.clear()


@pytest.fixture
def commits(django_capture_on_commit_callbacks: Any) -> CommitRunner:
    """`with commits(): ...` runs what waits for the commit (the case signal, then the sending)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


class Inbox:
    """Reads the notifications written since the last look, as sorted (user key, kind) pairs."""

    def __init__(self, d: Any) -> None:
        self.names = {user.pk: key for key, user in d.users.items()}
        self.seen = 0

    def new(self) -> list[tuple[str, str]]:
        notes = list(Notification.objects.filter(pk__gt=self.seen).order_by("pk"))
        if notes:
            self.seen = notes[-1].pk
        return sorted((self.names[n.recipient_id], n.kind) for n in notes)


@pytest.fixture
def inbox(cd: Any) -> Inbox:  # noqa: F811 (the fixture imported above)
    return Inbox(cd)

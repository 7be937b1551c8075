"""Senders for tests: they keep what they were given in lists the tests read."""

from __future__ import annotations

EMAILS: list[tuple[str, str, str]] = []
TEXTS: list[tuple[str, str]] = []


def capture_email(to: str, subject: str, body: str) -> None:
    EMAILS.append((to, subject, body))


def capture_sms(to: str, body: str) -> None:
    TEXTS.append((to, body))

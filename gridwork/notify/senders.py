"""Pluggable email and SMS senders.

A sender is a callable named by a dotted path in settings: NOTIFY_EMAIL_SENDER is called as
`send(to, subject, body)`, NOTIFY_SMS_SENDER as `send(to, body)`. A sender raises on failure.
The defaults write one line to the log, with the address or number masked.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string

from gridwork.core.masking import mask_phone

log = logging.getLogger("gridwork.notify")

EmailSender = Callable[[str, str, str], None]
SmsSender = Callable[[str, str], None]


def mask_email(address: str) -> str:
    local, _sep, domain = (address or "").partition("@")
    return f"{local[:1]}***@{domain}" if domain else "***"


def console_email(to: str, subject: str, body: str) -> None:
    log.info("email to %s: %s", mask_email(to), subject)


def console_sms(to: str, body: str) -> None:
    log.info("sms to %s: %s", mask_phone(to), body)


def django_email(to: str, subject: str, body: str) -> None:
    """Through Django's EMAIL_BACKEND (configure EMAIL_HOST and friends in a settings module)."""
    send_mail(subject, body, None, [to], fail_silently=False)


def email_sender() -> EmailSender:
    return import_string(settings.NOTIFY_EMAIL_SENDER)


def sms_sender() -> SmsSender:
    return import_string(settings.NOTIFY_SMS_SENDER)

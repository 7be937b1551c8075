"""Notifications: the in-app inbox, webhook subscriptions and their deliveries.

Only gridwork.notify.services writes these. Nothing here holds a full phone or ID number: titles,
bodies and webhook payloads name a case by its tracking code and category, never by a person.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gridwork.core.sealed_text import SealedCharField, SealedTextField


class Kind(models.TextChoices):
    ASSIGNED = "assigned", _("a case needs your action")
    VERIFY = "verify", _("a case awaits verification on site")
    EMERGENCY = "emergency", _("emergency")
    OVERDUE = "overdue", _("a case is overdue")
    ESCALATED = "escalated", _("a case was escalated")
    # Field work that is not a case: a weekly report's part forwarded, a report returned, a task.
    FIELDWORK = "fieldwork", _("field work")


class NotificationQuerySet(models.QuerySet):
    def for_user(self, user: Any) -> NotificationQuerySet:
        """The inbox of one user: nobody reads another's notifications."""
        if user is None or not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(recipient_id=user.pk)

    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    case = models.ForeignKey(
        "cases.Case",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("case"),
    )
    # The timeline entry it came from: one notification per person and entry, however often it is sent.
    event = models.ForeignKey(
        "cases.CaseEvent", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    title = SealedCharField(_("title"), max_length=200)
    body = SealedTextField(_("text"), blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    emailed_at = models.DateTimeField(_("emailed at"), null=True, blank=True)
    texted_at = models.DateTimeField(_("text message sent at"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"])]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "event"], name="notify_one_per_recipient_event")
        ]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return self.title


class WebhookSubscription(models.Model):
    """A system subscribed to the case events of an area (the "N" in 1+5+N)."""

    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(_("URL"), max_length=500)
    # Kept in clear: it keys the HMAC of every delivery. Shown once, when the subscription is made.
    secret = models.CharField(_("secret"), max_length=100)
    area = models.ForeignKey(
        "areas.Area", to_field="code", on_delete=models.PROTECT, related_name="+", verbose_name=_("area")
    )
    # The case actions to send; empty means all of them.
    actions = models.JSONField(_("actions"), default=list, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["area_id", "name", "id"]
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")

    def __str__(self) -> str:
        return f"{self.name} ({self.area_id})"

    def wants(self, action: str, grid_code: str) -> bool:
        return (
            self.active
            and grid_code.startswith(self.area_id)
            and (not self.actions or action in self.actions)
        )


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    DELIVERED = "delivered", _("delivered")
    FAILED = "failed", _("failed")


class WebhookDelivery(models.Model):
    subscription = models.ForeignKey(
        WebhookSubscription,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("subscription"),
    )
    event = models.ForeignKey(
        "cases.CaseEvent", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(_("event"), max_length=16)
    payload = models.JSONField(_("payload"))
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True, db_index=True)
    last_response_code = models.PositiveSmallIntegerField(_("last response code"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["subscription", "event"], name="notify_one_delivery_per_event")
        ]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")

    def __str__(self) -> str:
        return f"{self.subscription_id} {self.action} {self.status}"


class JobLock(models.Model):
    """A row to lock while deciding whether a periodic job is already scheduled."""

    name = models.CharField(max_length=50, unique=True)

    def __str__(self) -> str:
        return self.name

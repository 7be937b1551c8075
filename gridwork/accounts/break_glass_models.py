"""Break-the-glass grants: one user, one record, until a time. Imported by accounts.models.

The record is named by its type and id (accounts sits below the register and cannot refer to its
models); the scoping function (accounts.scoping) reads the grant when one record is opened.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridwork.core.models import AppendOnlyModel, AppendOnlyQuerySet


class GlassBreakQuerySet(AppendOnlyQuerySet):
    def active(self, now: dt.datetime | None = None) -> GlassBreakQuerySet:
        return self.filter(until__gt=now or timezone.now())

    def opening(self, user: Any, model: type[models.Model], pk: Any) -> GlassBreakQuerySet:
        """The user's grants in force for one record of a model."""
        return self.active().filter(user_id=user.pk, object_type=model._meta.label_lower, object_id=str(pk))


class GlassBreak(AppendOnlyModel):
    """Kept like the audit log: a grant is never changed or removed, it runs out at `until`."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("user")
    )
    object_type = models.CharField(_("object type"), max_length=60)
    object_id = models.CharField(_("object id"), max_length=64)
    # The record's grid when opened: which auditors see the grant.
    area_code = models.CharField(_("area code"), max_length=15)
    reason = models.CharField(_("reason"), max_length=300)
    opened_at = models.DateTimeField(_("opened at"))
    until = models.DateTimeField(_("until"), db_index=True)

    objects = GlassBreakQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at", "-id"]
        indexes = [
            models.Index(fields=["user", "object_type", "object_id", "until"], name="glassbreak_lookup")
        ]
        verbose_name = _("break-the-glass grant")
        verbose_name_plural = _("break-the-glass grants")

    def __str__(self) -> str:
        return f"{self.user_id} {self.object_type}#{self.object_id} until {self.until:%Y-%m-%d %H:%M}"

"""Patrols: a grid worker's walk of their grid, its GPS fixes and what was seen on the way."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridwork.accounts.access import FIELDWORK_PATROL_VIEW
from gridwork.accounts.scoping import ScopedQuerySet
from gridwork.core.sealed_text import SealedTextField
from gridwork.registry.models import grid_field


class PatrolStatus(models.TextChoices):
    OPEN = "open", _("under way")
    ENDED = "ended", _("ended")


class FixFlag(models.TextChoices):
    NONE = "", _("kept")
    ACCURACY = "accuracy", _("poor accuracy")
    SPEED = "speed", _("too fast a jump")


class PatrolQuerySet(ScopedQuerySet):
    scope_field = "grid__code"
    scope_capability = FIELDWORK_PATROL_VIEW

    def open(self) -> PatrolQuerySet:
        return self.filter(status=PatrolStatus.OPEN)

    def on_day(self, day: dt.date) -> PatrolQuerySet:
        """Patrols that started on the local day (a patrol past midnight counts for its first day)."""
        return self.filter(started_on(day))


def started_on(day: dt.date) -> models.Q:
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
    return models.Q(started_at__gte=start, started_at__lt=start + dt.timedelta(days=1))


class PatrolPartQuerySet(ScopedQuerySet):
    """Fixes and findings: scoped by their patrol's grid."""

    scope_field = "patrol__grid__code"
    scope_capability = FIELDWORK_PATROL_VIEW


class Patrol(models.Model):
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="patrols", verbose_name=_("worker")
    )
    grid = grid_field()
    started_at = models.DateTimeField(_("started at"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=PatrolStatus.choices, default=PatrolStatus.OPEN
    )
    # Metrics of the kept (unflagged) fixes: kept up to date as fixes arrive, computed again in
    # full when the patrol ends (see patrols_metrics).
    length_m = models.FloatField(_("length (m)"), default=0)
    inside_share = models.FloatField(_("share inside the grid"), null=True, blank=True)
    fix_count = models.PositiveIntegerField(_("fixes"), default=0)
    flagged_count = models.PositiveIntegerField(_("flagged fixes"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PatrolQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["worker"], condition=models.Q(status="open"), name="one_open_patrol_per_worker"
            )
        ]
        indexes = [models.Index(fields=["grid", "started_at"], name="patrol_grid_day")]
        verbose_name = _("patrol")
        verbose_name_plural = _("patrols")

    def __str__(self) -> str:
        return f"{self.grid_id} {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def duration(self) -> dt.timedelta:
        """Start to end; for a patrol under way, start to now."""
        return (self.ended_at or timezone.now()) - self.started_at

    @property
    def is_open(self) -> bool:
        return self.status == PatrolStatus.OPEN


class PatrolFix(models.Model):
    """One GPS position the phone reported; a flagged fix is kept but left out of the length."""

    patrol = models.ForeignKey(
        Patrol, on_delete=models.CASCADE, related_name="fixes", verbose_name=_("patrol")
    )
    at = models.DateTimeField(_("time"))
    lon = models.FloatField(_("longitude"))
    lat = models.FloatField(_("latitude"))
    accuracy_m = models.FloatField(_("accuracy (m)"), null=True, blank=True)
    flag = models.CharField(
        _("flag"), max_length=10, choices=FixFlag.choices, default=FixFlag.NONE, blank=True
    )

    objects = PatrolPartQuerySet.as_manager()

    class Meta:
        ordering = ["patrol_id", "at"]
        # The phone's timestamp makes a fix unique within its patrol: a batch sent twice stores once.
        constraints = [models.UniqueConstraint(fields=["patrol", "at"], name="one_fix_per_patrol_moment")]
        verbose_name = _("GPS fix")
        verbose_name_plural = _("GPS fixes")

    def __str__(self) -> str:
        return f"{self.lat:.6f}, {self.lon:.6f} @ {self.at:%H:%M:%S}"


def finding_photo_path(instance: PatrolFinding, filename: str) -> str:
    # The name is made by the service (a random token); only the patrol's folder is added here.
    return f"fieldwork/patrols/{instance.patrol_id}/{filename}"


class PatrolFinding(models.Model):
    """Something seen on the way: a note, perhaps a photo and a place; it may become a case."""

    patrol = models.ForeignKey(
        Patrol, on_delete=models.CASCADE, related_name="findings", verbose_name=_("patrol")
    )
    at = models.DateTimeField(_("time"))
    note = SealedTextField(_("note"), max_length=2000)
    photo = models.FileField(_("photo"), upload_to=finding_photo_path, max_length=200, blank=True)
    photo_type = models.CharField(max_length=20, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    case = models.OneToOneField(
        "cases.Case",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="patrol_finding",
        verbose_name=_("case"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PatrolPartQuerySet.as_manager()

    class Meta:
        ordering = ["patrol_id", "at", "id"]
        verbose_name = _("patrol finding")
        verbose_name_plural = _("patrol findings")

    def __str__(self) -> str:
        return self.note[:40]

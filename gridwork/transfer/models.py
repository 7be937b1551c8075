"""Import jobs: one uploaded file, its kind and mode, progress and outcome."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportJob(models.Model):
    class Mode(models.TextChoices):
        CHECK = "check", _("check only")
        ALL_OR_NOTHING = "all_or_nothing", _("import all or nothing")
        UPDATE = "update", _("import and update existing records")

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        # The file passed its check and is being written, batch after batch (see transfer.lease).
        WRITING = "writing", _("writing")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    kind = models.CharField(_("kind"), max_length=20)
    mode = models.CharField(_("mode"), max_length=16, choices=Mode.choices, default=Mode.CHECK)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.QUEUED)
    # The original name is kept for the user's eyes only; the stored file has a random name.
    original_name = models.CharField(_("file name"), max_length=200, blank=True)
    file_format = models.CharField(_("format"), max_length=8)
    stored_name = models.CharField(max_length=64)
    language = models.CharField(_("language"), max_length=10, default="zh-hans")
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_done = models.PositiveIntegerField(_("rows checked"), default=0)
    rows_ok = models.PositiveIntegerField(_("rows without error"), default=0)
    errors_count = models.PositiveIntegerField(_("errors"), default=0)
    created = models.PositiveIntegerField(_("records created"), default=0)
    updated = models.PositiveIntegerField(_("records updated"), default=0)
    # The first day of the boundaries of a GeoJSON import.
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    # Why the whole file was refused (hostile, broken, missing columns), in the job's language.
    message = models.TextField(_("message"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # While writing: when the writer last committed a batch (its claim, see transfer.lease).
    alive_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} {self.status}"

    @property
    def finished(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.FAILED}

    @property
    def written(self) -> bool:
        return self.status == self.Status.DONE and self.mode != self.Mode.CHECK and self.errors_count == 0

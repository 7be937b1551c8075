"""The audit log and the history of register records: both append-only."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(RuntimeError):
    """An attempt to change or delete an append-only record."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):  # noqa: ANN003
        raise AppendOnlyError(f"{self.model.__name__} is append-only")

    def delete(self):
        raise AppendOnlyError(f"{self.model.__name__} is append-only")


class AppendOnlyModel(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):  # noqa: ANN002, ANN003
        if not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # noqa: ANN002, ANN003
        raise AppendOnlyError(f"{type(self).__name__} is append-only")


class AuditEvent(AppendOnlyModel):
    class Action(models.TextChoices):
        LOGIN = "login", _("login")
        LOGIN_FAILED = "login_failed", _("failed login")
        LOGIN_LOCKED = "login_locked", _("account locked")
        LOGOUT = "logout", _("logout")
        CREATE = "create", _("create")
        UPDATE = "update", _("update")
        DELETE = "delete", _("delete")
        EXPORT = "export", _("export")
        REVEAL = "reveal", _("reveal masked data")
        ROLE_GRANT = "role_grant", _("role granted")
        ROLE_REVOKE = "role_revoke", _("role revoked")
        TOKEN = "token", _("API token issued")
        TOKEN_USE = "token_use", _("API token used")
        TOKEN_REVOKE = "token_revoke", _("API token revoked")
        OTP_DEVICE = "otp_device", _("second factor enrolled")
        DEMO = "demo", _("demo district built")
        # Audit part of issue 12: reads of personal records, break the glass, retention.
        READ = "read", _("record opened")
        BREAK_GLASS = "break_glass", _("break the glass")
        PURGE = "purge", _("audit entries purged")
        # A uniqueness check met a record outside the actor's scope (registry.uniqueness).
        UNIQUE_ELSEWHERE = "unique_elsewhere", _("already registered in another area")
        # `gridwork rotate_keys` re-encrypted the ID numbers and phones (core.field_rewrite).
        KEYS_ROTATED = "keys_rotated", _("encryption keys rotated")

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Kept as text so the entry still says who it was after the account is gone.
    actor_label = models.CharField(_("actor"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices, db_index=True)
    object_type = models.CharField(_("object type"), max_length=60, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    area_code = models.CharField(_("area code"), max_length=15, blank=True, db_index=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit log")

    def __str__(self) -> str:
        target = f"{self.object_type}#{self.object_id}"
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_label} {self.action} {target}"


class RecordHistory(AppendOnlyModel):
    """One change of one register record: who, when, before and after (changed fields only)."""

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(_("actor"), max_length=150, blank=True)
    object_type = models.CharField(_("object type"), max_length=60)
    object_id = models.CharField(_("object id"), max_length=64)
    area_code = models.CharField(_("area code"), max_length=15, blank=True)
    action = models.CharField(_("action"), max_length=20)
    before = models.JSONField(_("before"), default=dict, blank=True)
    after = models.JSONField(_("after"), default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]
        verbose_name = _("record history")
        verbose_name_plural = _("record history")

    def __str__(self) -> str:
        return f"{self.object_type}#{self.object_id} {self.action} {self.at:%Y-%m-%d %H:%M}"


class AuditPurgeWindow(models.Model):
    """Filled only by `gridwork purge_audit`, inside its transaction, and emptied before it commits.

    The database triggers on the audit log refuse every DELETE except of an entry whose kind has a
    row here and whose time is before that row's `before`: the one way an entry leaves the log is
    the purge of entries past their retention. No other transaction ever sees a row (the purge
    deletes its rows before committing), so the table is always empty between purges.
    """

    action = models.CharField(max_length=20)
    before = models.DateTimeField()

    class Meta:
        verbose_name = _("audit purge window")
        verbose_name_plural = _("audit purge windows")

    def __str__(self) -> str:
        return f"{self.action} < {self.before:%Y-%m-%d %H:%M:%S}"

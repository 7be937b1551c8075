"""Users, the roles they hold at areas, and API tokens."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridwork.core.encrypted_fields import EncryptedCharField, HashField


class Role(models.TextChoices):
    GRID_MEMBER = "grid_member", _("grid member")
    GRID_WORKER = "grid_worker", _("grid worker")
    ACCEPTANCE_CENTRE = "acceptance_centre", _("community acceptance centre")
    DEPARTMENT_HANDLER = "department_handler", _("department handler")
    STREET_STAFF = "street_staff", _("street / town staff")
    DISTRICT_STAFF = "district_staff", _("district staff")
    AUDITOR = "auditor", _("auditor")
    SYSADMIN = "sysadmin", _("system administrator")


class User(AbstractUser):
    display_name = models.CharField(_("display name"), max_length=100, blank=True)
    phone = EncryptedCharField(_("phone"), max_length=20, blank=True)
    phone_hash = HashField(source="phone")
    # Bumped by every change to the user's roles: a session's cached roles with an older number are
    # read again, so a grant or revoke takes effect at the next request (see accounts.access).
    roles_version = models.PositiveIntegerField(_("roles version"), default=0, editable=False)

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.username


class RoleAssignmentQuerySet(models.QuerySet):
    def active(self, day: dt.date | None = None) -> RoleAssignmentQuerySet:
        day = day or timezone.localdate()
        return self.filter(
            models.Q(valid_from__isnull=True) | models.Q(valid_from__lte=day),
            models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=day),
        )


class RoleAssignment(models.Model):
    """A role held at an area (and so over its whole subtree), optionally between two dates."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="roles", verbose_name=_("user"))
    role = models.CharField(_("role"), max_length=24, choices=Role.choices)
    area = models.ForeignKey(
        "areas.Area", to_field="code", on_delete=models.PROTECT, related_name="+", verbose_name=_("area")
    )
    department = models.CharField(_("department"), max_length=100, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    granted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("granted by")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RoleAssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["user_id", "area_id", "role"]
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} @ {self.area_id}"


class ApiToken(models.Model):
    """A bearer token for an app; only its SHA-256 is stored.

    A token acts with one of its user's role assignments only (that role at that area): a phone
    app of a grid worker who is also a street's staff reads the grid, not the street.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    assignment = models.ForeignKey(
        RoleAssignment,
        null=True,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("role it acts with"),
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=8, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    # When the last audit entry of its use was written: one at most every API_TOKEN_AUDIT_MINUTES.
    use_logged_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked = models.BooleanField(_("revoked"), default=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class LoginThrottle(models.Model):
    """Failed logins counted under one key: an account at an address, an account, or an address.

    The key is an HMAC of the username and/or address, so the table lists neither. A pair row
    that has seen a successful login marks the address as one the account is known to use.
    """

    class Kind(models.TextChoices):
        PAIR = "pair", _("account at an address")
        ACCOUNT = "account", _("account from new addresses")
        ADDRESS = "address", _("address")

    key = models.CharField(max_length=64, unique=True)
    # The HMAC of the username alone (pair and account rows), so an administrator can lift them.
    account = models.CharField(max_length=64, blank=True, db_index=True)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    failures = models.PositiveIntegerField(default=0)
    last_failure_at = models.DateTimeField(null=True, blank=True)
    blocked_until = models.DateTimeField(null=True, blank=True)
    succeeded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("login throttle")
        verbose_name_plural = _("login throttles")

    def __str__(self) -> str:
        return f"{self.kind} {self.key[:8]}…"


# Break the glass (issue 12, audit part): its model lives in its own module.
from gridwork.accounts.break_glass_models import GlassBreak  # noqa: E402, F401

"""Logins, failed logins and logouts go to the audit log; a change to a role outdates cached roles."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from gridwork.accounts.models import RoleAssignment
from gridwork.accounts.roles_version import bump_roles_version
from gridwork.core import audit
from gridwork.core.models import AuditEvent


@receiver(user_logged_in)
def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit.log(AuditEvent.Action.LOGIN, user, object_type="accounts.user", object_id=str(user.pk))


@receiver(user_logged_out)
def _logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit.log(AuditEvent.Action.LOGOUT, user, object_type="accounts.user", object_id=str(user.pk))


@receiver(user_login_failed)
def _login_failed(sender: Any, credentials: dict, request: Any = None, **kwargs: Any) -> None:
    # The username is kept (it is not a secret); the password never is.
    audit.log(AuditEvent.Action.LOGIN_FAILED, actor_label=str(credentials.get("username", ""))[:150])


@receiver(post_save, sender=RoleAssignment)
@receiver(post_delete, sender=RoleAssignment)
def _roles_changed(sender: Any, instance: RoleAssignment, **kwargs: Any) -> None:
    # Whoever changes a role (services, the admin, a test), the user's cached roles go stale.
    bump_roles_version([instance.user_id])

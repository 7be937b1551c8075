"""Logins and logouts go to the audit log (failed ones: services.authenticate_with_lockout); a change
to a role outdates cached roles."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from gridwork.accounts.middleware import mark_login
from gridwork.accounts.models import RoleAssignment
from gridwork.accounts.roles_version import bump_roles_version
from gridwork.core import audit
from gridwork.core.models import AuditEvent


@receiver(user_logged_in)
def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    mark_login(request, user)
    audit.log(AuditEvent.Action.LOGIN, user, object_type="accounts.user", object_id=str(user.pk))


@receiver(user_logged_out)
def _logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit.log(AuditEvent.Action.LOGOUT, user, object_type="accounts.user", object_id=str(user.pk))


@receiver(post_save, sender=RoleAssignment)
@receiver(post_delete, sender=RoleAssignment)
def _roles_changed(sender: Any, instance: RoleAssignment, **kwargs: Any) -> None:
    # Whoever changes a role (services, the admin, a test), the user's cached roles go stale.
    bump_roles_version([instance.user_id])

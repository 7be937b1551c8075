"""Accounts: login with lockout, users, roles at areas, API tokens. The only code that writes them."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from gridwork.accounts.access import ACCOUNTS_MANAGE, forget_assignments, has_capability, scope_codes
from gridwork.accounts.models import ApiToken, Role, RoleAssignment
from gridwork.accounts.permissions import require
from gridwork.core import audit
from gridwork.core.errors import NotFound
from gridwork.core.models import AuditEvent
from gridwork.core.scoping import prefix_q
from gridwork.core.system import is_system
from gridwork.core.validators import validate_phone

User = get_user_model()


def authenticate_with_lockout(
    request: HttpRequest | None,
    username: str | None,
    password: str | None,
    check: Callable[..., Any],
    **kwargs: Any,
) -> Any:
    """Password check that counts failures and refuses a locked account even with the right password."""
    if not username or password is None:
        return None
    now = timezone.now()
    with transaction.atomic():
        user = User.objects.select_for_update().filter(username=username).first()
        if user is not None and user.is_locked(now):
            audit.log(
                AuditEvent.Action.LOGIN_LOCKED,
                actor_label=username,
                object_type="accounts.user",
                object_id=str(user.pk),
            )
            return None
    result = check(request, username=username, password=password, **kwargs)
    if user is None:
        return result
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if result is None:
            user.failed_logins += 1
            if user.failed_logins >= settings.LOGIN_MAX_FAILURES:
                user.locked_until = now + dt.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
                user.failed_logins = 0
                audit.log(
                    AuditEvent.Action.LOGIN_LOCKED,
                    actor_label=username,
                    object_type="accounts.user",
                    object_id=str(user.pk),
                )
            user.save(update_fields=["failed_logins", "locked_until"])
        elif user.failed_logins or user.locked_until:
            user.failed_logins = 0
            user.locked_until = None
            user.save(update_fields=["failed_logins", "locked_until"])
    return result


def _require_manager(actor: Any, area_code: str) -> None:
    require(actor, ACCOUNTS_MANAGE, area_code)


@transaction.atomic
def create_user(
    actor: Any,
    username: str,
    password: str,
    *,
    display_name: str = "",
    phone: str = "",
    email: str = "",
    check_password: bool = True,
) -> Any:
    if not is_system(actor) and not has_capability(actor, ACCOUNTS_MANAGE):
        raise PermissionDenied(_("Only a system administrator manages accounts."))
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": [_("This username is taken.")]})
    user = User(username=username, display_name=display_name, phone=phone, email=email)
    if check_password:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise ValidationError({"password": exc.messages}) from exc
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    audit.log(AuditEvent.Action.CREATE, actor, obj=user, detail={"username": username})
    return user


def manageable_users(actor: Any) -> Any:
    """The accounts a system administrator manages: those holding no role outside its areas.

    An account with no role at all is included, so that a new account can receive its first role.
    """
    if is_system(actor):
        return User.objects.all()
    query = prefix_q("area__code", scope_codes(actor, ACCOUNTS_MANAGE))
    if query is None:
        return User.objects.none()
    outside = RoleAssignment.objects.exclude(query)
    return User.objects.exclude(pk__in=outside.values("user_id"))


@transaction.atomic
def update_user(
    actor: Any,
    user: Any,
    *,
    display_name: str | None = None,
    email: str | None = None,
    phone: str | None = None,
    is_active: bool | None = None,
    unlock: bool = False,
) -> Any:
    """Change an account's details, switch it on or off, or lift a login lockout; audited."""
    if not is_system(actor) and not has_capability(actor, ACCOUNTS_MANAGE):
        raise PermissionDenied(_("Only a system administrator manages accounts."))
    locked = manageable_users(actor).select_for_update().filter(pk=user.pk).first()
    if locked is None:
        raise NotFound(User._meta.verbose_name)
    changed: list[str] = []
    requested = {"display_name": display_name, "email": email, "phone": phone, "is_active": is_active}
    for name, value in requested.items():
        if value is not None and getattr(locked, name) != value:
            setattr(locked, name, value)
            changed.append(name)
    if unlock and (locked.failed_logins or locked.locked_until):
        locked.failed_logins, locked.locked_until = 0, None
        changed += ["failed_logins", "locked_until"]
    if not changed:
        return locked
    errors: dict[str, list[str]] = {}
    if "phone" in changed and locked.phone:
        try:
            validate_phone(locked.phone)
        except ValidationError as exc:
            errors["phone"] = exc.messages
    try:
        locked.full_clean(exclude=["password"], validate_unique=False)
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            errors.setdefault(key, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    locked.save(update_fields=changed)
    audit.log(AuditEvent.Action.UPDATE, actor, obj=locked, detail={"fields": changed})
    return locked


@transaction.atomic
def grant_role(
    actor: Any,
    user: Any,
    role: str,
    area_code: str,
    *,
    department: str = "",
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
) -> RoleAssignment:
    if role not in Role.values:
        raise ValidationError({"role": [_("Unknown role.")]})
    # The area model as the role's relation names it: accounts sit below the area tree's app.
    areas = RoleAssignment._meta.get_field("area").related_model.objects
    if not areas.filter(code=area_code).exists():
        raise ValidationError({"area": [_("No area has this code.")]})
    if valid_from and valid_to and valid_to < valid_from:
        raise ValidationError({"valid_to": [_("The end date is before the start date.")]})
    if not is_system(actor):
        if not has_capability(actor, ACCOUNTS_MANAGE):
            raise PermissionDenied(_("Only a system administrator manages accounts."))
        _require_manager(actor, area_code)
        if getattr(actor, "pk", None) == user.pk:
            # Otherwise an administrator, who reads no personal data, could give itself a role that does.
            raise PermissionDenied(_("You may not grant a role to your own account."))
    assignment = RoleAssignment.objects.create(
        user=user,
        role=role,
        area_id=area_code,
        department=department,
        valid_from=valid_from,
        valid_to=valid_to,
        granted_by=None if is_system(actor) else actor,
    )
    forget_assignments(user)
    audit.log(
        AuditEvent.Action.ROLE_GRANT,
        actor,
        obj=assignment,
        area_code=area_code,
        detail={"user": user.username, "role": role},
    )
    return assignment


@transaction.atomic
def revoke_role(actor: Any, assignment_id: int) -> None:
    assignment = RoleAssignment.objects.select_for_update().select_related("user").get(pk=assignment_id)
    if not is_system(actor):
        _require_manager(actor, assignment.area_id)
    audit.log(
        AuditEvent.Action.ROLE_REVOKE,
        actor,
        obj=assignment,
        area_code=assignment.area_id,
        detail={"user": assignment.user.username, "role": assignment.role},
    )
    assignment.delete()
    forget_assignments(assignment.user)


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def issue_token(actor: Any, user: Any, name: str, days: int | None = 365) -> str:
    """A new API token for the user; the raw key is returned once and never stored."""
    # Not even a system administrator mints tokens for others: a token acts as its user, and
    # would let the administrator read the personal data that the role is kept from.
    if not is_system(actor) and getattr(actor, "pk", None) != user.pk:
        raise PermissionDenied(_("You may issue tokens only for yourself."))
    raw = "gw_" + secrets.token_urlsafe(32)
    expires = timezone.now() + dt.timedelta(days=days) if days else None
    token = ApiToken.objects.create(
        user=user, name=name, prefix=raw[3:11], key_hash=_hash(raw), expires_at=expires
    )
    audit.log(AuditEvent.Action.TOKEN, actor, obj=token, detail={"user": user.username, "name": name})
    return raw


def user_for_token(raw: str) -> Any:
    """The active user a bearer token belongs to, or None."""
    if not raw or not raw.startswith("gw_"):
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=_hash(raw), revoked=False).first()
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.expires_at and token.expires_at <= now:
        return None
    # Touch at most once a minute: a read must not turn every request into a write.
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user

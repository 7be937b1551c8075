"""Accounts: login with lockout, users, roles at areas, API tokens. The only code that writes them."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from gridwork.accounts import lockout
from gridwork.accounts.access import (
    ACCOUNTS_MANAGE,
    act_with_assignment_only,
    forget_assignments,
    has_capability,
    scope_codes,
)
from gridwork.accounts.models import ApiToken, LoginThrottle, Role, RoleAssignment
from gridwork.accounts.permissions import require
from gridwork.core import audit
from gridwork.core.client_address import client_address
from gridwork.core.encrypted_fields import hash_fields_for
from gridwork.core.errors import NotFound
from gridwork.core.models import AuditEvent
from gridwork.core.scoping import prefix_q
from gridwork.core.system import is_system
from gridwork.core.validators import validate_phone

User = get_user_model()


def _mask_username(username: str) -> str:
    # An unknown "username" is often a password typed into the wrong field: keep a hint only.
    return f"{username[:1]}…({len(username)})"


def _throttle_rows(keys: lockout.Keys) -> dict[str, LoginThrottle]:
    wanted = [keys.pair, keys.account, keys.address]
    return {row.key: row for row in LoginThrottle.objects.select_for_update().filter(key__in=wanted)}


def _count_failure(
    rows: dict[str, LoginThrottle], key: str, kind: str, account: str, now: dt.datetime
) -> bool:
    """One more failure under a key; True when it now refuses attempts."""
    row = rows.get(key) or LoginThrottle(key=key, kind=kind, account=account)
    if row.last_failure_at and now - row.last_failure_at > lockout.FORGET_AFTER:
        row.failures = 0
    row.failures += 1
    row.last_failure_at = now
    refusal = lockout.refusal_after(row.failures, lockout.limit_for(kind))
    if refusal is not None:
        row.blocked_until = now + refusal
    row.save()
    return refusal is not None


def authenticate_with_lockout(
    request: HttpRequest | None,
    username: str | None,
    password: str | None,
    check: Callable[..., Any],
    **kwargs: Any,
) -> Any:
    """Password check behind the login throttle (gridwork/accounts/lockout.py).

    Every failure looks the same from outside: unknown username, wrong password and a refused
    attempt answer alike, and each runs one password hash, so the time tells nothing either.
    """
    if not username or password is None:
        return None
    now = timezone.now()
    address = client_address(request)
    keys = lockout.keys_for(username, address)
    with transaction.atomic():
        rows = _throttle_rows(keys)
        pair = rows.get(keys.pair)
        refused_by = [
            kind
            for kind, key in (
                (LoginThrottle.Kind.PAIR, keys.pair),
                (LoginThrottle.Kind.ADDRESS, keys.address),
                # An address the account signed in from before is spared the account-wide limit.
                *([] if lockout.is_known_address(pair) else [(LoginThrottle.Kind.ACCOUNT, keys.account)]),
            )
            if lockout.is_refused(rows.get(key), now)
        ]
    user_id = User.objects.filter(username=username).values_list("pk", flat=True).first()
    label = username if user_id is not None else _mask_username(username)
    if refused_by:
        make_password(password)  # the time of a password check, which this attempt does not get
        audit.log(
            AuditEvent.Action.LOGIN_LOCKED,
            actor_label=label,
            object_type="accounts.user" if user_id else "",
            object_id=str(user_id or ""),
            detail={"refused_by": refused_by},
        )
        return None
    result = check(request, username=username, password=password, **kwargs)
    with transaction.atomic():
        rows = _throttle_rows(keys)
        if result is None:
            now_refused = [
                kind
                for kind, key in (
                    (LoginThrottle.Kind.PAIR, keys.pair),
                    (LoginThrottle.Kind.ACCOUNT, keys.account),
                    (LoginThrottle.Kind.ADDRESS, keys.address),
                )
                if _count_failure(rows, key, kind, keys.account_only if kind != "address" else "", now)
            ]
            audit.log(
                AuditEvent.Action.LOGIN_FAILED,
                actor_label=label,
                object_type="accounts.user" if user_id else "",
                object_id=str(user_id or ""),
                detail={"refused_from_now": now_refused} if now_refused else {},
            )
        else:
            # The owner proved the password: this address is now one the account is known to use.
            pair = rows.get(keys.pair) or LoginThrottle(
                key=keys.pair, kind=LoginThrottle.Kind.PAIR, account=keys.account_only
            )
            pair.failures, pair.blocked_until, pair.succeeded_at = 0, None, now
            pair.save()
            LoginThrottle.objects.filter(key=keys.account).update(failures=0, blocked_until=None)
    return result


def lift_login_throttle(username: str) -> int:
    """Clear the refusals of an account (all its addresses); the caller checks permission."""
    return LoginThrottle.objects.filter(account=lockout.account_digest(username)).update(
        failures=0, blocked_until=None
    )


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
    if unlock and lift_login_throttle(locked.username):
        changed.append("login_throttle")
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
    saved = [name for name in changed if name != "login_throttle"]
    locked.save(update_fields=saved + hash_fields_for(User, saved))
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


MAX_TOKEN_DAYS = 366


def _token_assignment(user: Any, assignment_id: int | None) -> RoleAssignment | None:
    """The role a new token acts with: the one named, or the user's only role in force."""
    held = list(RoleAssignment.objects.active().filter(user_id=user.pk))
    if assignment_id is not None:
        chosen = next((a for a in held if a.pk == assignment_id), None)
        if chosen is None:
            raise ValidationError({"assignment": [_("The user holds no such role today.")]})
        return chosen
    if len(held) > 1:
        raise ValidationError(
            {"assignment": [_("The user holds several roles: choose the one the token acts with.")]}
        )
    return held[0] if held else None  # no role: a client system (Open311) that only reports


@transaction.atomic
def issue_token(
    actor: Any, user: Any, name: str, days: int | None = None, *, assignment_id: int | None = None
) -> str:
    """A new API token for the user, acting with one of its roles; the raw key is returned once."""
    # Not even a system administrator mints tokens for others: a token acts as its user, and
    # would let the administrator read the personal data that the role is kept from.
    if not is_system(actor) and getattr(actor, "pk", None) != user.pk:
        raise PermissionDenied(_("You may issue tokens only for yourself."))
    days = settings.API_TOKEN_DAYS if days is None else days
    if not 1 <= days <= MAX_TOKEN_DAYS:
        raise ValidationError(
            {"days": [_("A token lasts from 1 to %(max)d days.") % {"max": MAX_TOKEN_DAYS}]}
        )
    assignment = _token_assignment(user, assignment_id)
    raw = "gw_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        assignment=assignment,
        name=name,
        prefix=raw[3:11],
        key_hash=_hash(raw),
        expires_at=timezone.now() + dt.timedelta(days=days),
    )
    detail = {"user": user.username, "name": name, "role": assignment.role if assignment else ""}
    audit.log(
        AuditEvent.Action.TOKEN,
        actor,
        obj=token,
        area_code=assignment.area_id if assignment else "",
        detail=detail,
    )
    return raw


def tokens_revocable_by(actor: Any) -> Any:
    """Tokens the actor may revoke: its own, and those of the accounts it manages."""
    if is_system(actor):
        return ApiToken.objects.all()
    mine = ApiToken.objects.filter(user_id=getattr(actor, "pk", None))
    if has_capability(actor, ACCOUNTS_MANAGE):
        return mine | ApiToken.objects.filter(user__in=manageable_users(actor))
    return mine


@transaction.atomic
def revoke_token(actor: Any, token_id: int) -> ApiToken:
    """Revoke a token at once; audited. Revoking it again changes nothing."""
    token = tokens_revocable_by(actor).filter(pk=token_id).first()
    if token is None:
        raise NotFound(ApiToken._meta.verbose_name)
    token = ApiToken.objects.select_for_update().select_related("user").get(pk=token.pk)
    if not token.revoked:
        token.revoked, token.revoked_at = True, timezone.now()
        token.save(update_fields=["revoked", "revoked_at"])
        audit.log(
            AuditEvent.Action.TOKEN_REVOKE,
            actor,
            obj=token,
            detail={"user": token.user.username, "name": token.name},
        )
    return token


def user_for_token(raw: str) -> Any:
    """The active user a bearer token belongs to, limited to the token's role; or None.

    Every use is recorded: last_used_at at most once a minute (a read must not turn every request
    into a write), and an audit entry at most once per token every API_TOKEN_AUDIT_MINUTES (the log
    shows which tokens are used, from where and when, without an entry per request).
    """
    if not raw or not raw.startswith("gw_"):
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=_hash(raw), revoked=False).first()
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.expires_at is None or token.expires_at <= now:
        return None
    user = token.user
    act_with_assignment_only(user, token.assignment_id)
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
        _record_token_use(token, now)
    return user


@transaction.atomic
def _record_token_use(token: ApiToken, now: dt.datetime) -> None:
    changes: dict[str, Any] = {"last_used_at": now}
    audit_every = dt.timedelta(minutes=settings.API_TOKEN_AUDIT_MINUTES)
    if token.use_logged_at is None or now - token.use_logged_at >= audit_every:
        # The conditional update makes one process of several the one that writes the entry.
        claimed = ApiToken.objects.filter(pk=token.pk, use_logged_at=token.use_logged_at).update(
            use_logged_at=now, last_used_at=now
        )
        if claimed:
            audit.log(AuditEvent.Action.TOKEN_USE, token.user, obj=token, detail={"name": token.name})
        return
    ApiToken.objects.filter(pk=token.pk).update(**changes)


# --- the TOTP second factor (rules in accounts.otp) ------------------------------------------


@transaction.atomic
def start_totp_enrolment(actor: Any) -> TOTPDevice:
    """The actor's device waiting for its first code: made with a new secret, or the one already waiting."""
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("Sign in first."))
    User.objects.select_for_update().filter(pk=actor.pk).first()  # one enrolment at a time per user
    waiting = TOTPDevice.objects.filter(user_id=actor.pk, confirmed=False).order_by("-pk").first()
    if waiting is not None:
        return waiting
    return TOTPDevice.objects.create(user=actor, name=_("authenticator app"), confirmed=False)


@transaction.atomic
def confirm_totp_device(actor: Any, code: str) -> TOTPDevice | None:
    """Confirm the actor's waiting device with a code from it; None when the code is wrong."""
    device = (
        TOTPDevice.objects.select_for_update()
        .filter(user_id=actor.pk, confirmed=False)
        .order_by("-pk")
        .first()
    )
    if device is None or not device.verify_token(code.strip()):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user_id=actor.pk, confirmed=False).delete()
    audit.log(AuditEvent.Action.OTP_DEVICE, actor, object_type="accounts.user", object_id=str(actor.pk))
    return device


@transaction.atomic
def verify_second_factor(user: Any, code: str) -> TOTPDevice | None:
    """The user's confirmed device that accepts this code, or None (audited as a failed login).

    django-otp throttles each device: after a wrong code the next try waits 1, 2, 4… seconds.
    """
    code = code.strip()
    for device in TOTPDevice.objects.select_for_update().filter(user_id=user.pk, confirmed=True):
        if device.verify_token(code):
            return device
    audit.log(
        AuditEvent.Action.LOGIN_FAILED,
        actor_label=user.get_username(),
        object_type="accounts.user",
        object_id=str(user.pk),
        detail={"second_factor": True},
    )
    return None


@transaction.atomic
def remove_totp_devices(actor: Any, user: Any) -> int:
    """An administrator takes a lost authenticator off an account it manages; the user enrols anew."""
    if not is_system(actor):
        if not has_capability(actor, ACCOUNTS_MANAGE):
            raise PermissionDenied(_("Only a system administrator manages accounts."))
        if not manageable_users(actor).filter(pk=user.pk).exists():
            raise NotFound(User._meta.verbose_name)
    removed, _detail = TOTPDevice.objects.filter(user_id=user.pk).delete()
    if removed:
        audit.log(AuditEvent.Action.UPDATE, actor, obj=user, detail={"fields": ["second_factor_removed"]})
    return removed

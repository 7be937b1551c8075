"""The TOTP second factor (django-otp's otp_totp): who must have verified a code, and the enrolment's
QR code. Writes (enrolment, verification) go through accounts.services."""

from __future__ import annotations

import base64
from typing import Any

import segno
from django.conf import settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from gridwork.accounts.access import REGISTER_EXPORT, REGISTER_REVEAL, has_capability
from gridwork.core.system import is_system

# While a password is right but its code not yet given, the session keeps who it is for, no longer than this.
PENDING_KEY = "_gw_otp_pending"
PENDING_SECONDS = 300


def needs_verified_session(user: Any) -> bool:
    """Roles that may reveal full values or take a list away must have verified a code first."""
    if not settings.OTP_REQUIRED or is_system(user):
        return False
    return has_capability(user, REGISTER_REVEAL) or has_capability(user, REGISTER_EXPORT)


def is_verified(user: Any) -> bool:
    """Whether this request's user verified a code in its session (a token's user never has)."""
    check = getattr(user, "is_verified", None)
    return bool(check and check())


def second_factor_missing(user: Any) -> bool:
    return needs_verified_session(user) and not is_verified(user)


def confirmed_devices(user: Any) -> list[TOTPDevice]:
    return list(TOTPDevice.objects.filter(user_id=user.pk, confirmed=True))


def has_device(user: Any) -> bool:
    return TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).exists()


def secret_text(device: TOTPDevice) -> str:
    """The secret as authenticator apps take it by hand (base32, in groups of four)."""
    raw = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def qr_svg(device: TOTPDevice) -> str:
    """The enrolment's otpauth:// URL as an inline SVG drawn here (no image service, no script)."""
    return segno.make(device.config_url, error="m").svg_inline(scale=4, border=2)

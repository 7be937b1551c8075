"""Permission checks that services share."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from gridwork.accounts.access import can
from gridwork.accounts.otp import second_factor_missing
from gridwork.core.system import is_system


def require(actor: Any, capability: str, area_code: str) -> None:
    """Raise PermissionDenied unless the actor holds the capability at the area (or is the system)."""
    if is_system(actor):
        return
    if not area_code or not can(actor, capability, area_code):
        raise PermissionDenied(_("You may not do this in this area."))


class SecondFactorRequired(PermissionDenied):
    """A reveal or an export asked without a TOTP code verified in this session."""


def require_second_factor(user: Any) -> None:
    """For the API's reveals and exports: a session that verified a code (a token never has)."""
    if second_factor_missing(user):
        raise SecondFactorRequired(
            _(
                "A reveal or an export needs a second-factor code verified in this session: "
                "sign in on the pages and enter the code from your authenticator."
            )
        )

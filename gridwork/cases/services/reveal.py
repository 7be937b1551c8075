"""Seeing a case's free text as written: for a stated reason, by those who may reveal personal data
in the case's grid, written to the audit log. Everywhere else the text shows with every ID-like and
phone-like number masked (core.masking.mask_free_text)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gridwork.accounts.access import REGISTER_REVEAL, can
from gridwork.cases.models import Case
from gridwork.cases.services.lookup import get_visible_case
from gridwork.core import audit
from gridwork.core.models import AuditEvent
from gridwork.core.system import is_system

REASON_MIN = 4


def may_reveal_case(actor: Any, case: Case) -> bool:
    return not is_system(actor) and can(actor, REGISTER_REVEAL, case.grid_id)


def reveal_case(actor: Any, case_id: Any, reason: str) -> Case:
    """The case (scoped: NotFound outside the actor's reach), its reveal written to the audit log."""
    case = get_visible_case(actor, case_id)
    if not may_reveal_case(actor, case):
        raise PermissionDenied(_("Your role does not allow revealing personal data here."))
    reason = (reason or "").strip()
    if len(reason) < REASON_MIN:
        raise ValidationError(
            {"reason": [_("State why you need to see the full data (at least 4 characters).")]}
        )
    with transaction.atomic():
        audit.log(
            AuditEvent.Action.REVEAL, actor, obj=case, reason=reason[:300], detail={"what": "case text"}
        )
    return case

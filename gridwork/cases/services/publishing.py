"""The public board's text for a case: what Open311 and the tracking page may say beyond the
category, status, grid and dates. A resident's own description may be about a neighbour, so it
is never published; a moderator (cases.publish at the case's grid) writes a text for the public
instead, or takes it back by publishing an empty one."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridwork.accounts.access import CASES_PUBLISH, can
from gridwork.cases.models import Case
from gridwork.cases.services.lookup import get_visible_case
from gridwork.core import audit
from gridwork.core.masking import has_personal_number
from gridwork.core.models import AuditEvent
from gridwork.core.system import is_system
from gridwork.core.validators import control_character_errors

PUBLIC_TEXT_MAX = 500


def may_publish(actor: Any, case: Case) -> bool:
    return not is_system(actor) and can(actor, CASES_PUBLISH, case.grid_id)


def _checked(text: str) -> str:
    text = (text or "").strip()
    errors = control_character_errors({}, {"text": text})
    if errors:
        raise ValidationError(errors)
    if len(text) > PUBLIC_TEXT_MAX:
        raise ValidationError({"text": [_("At most 500 characters.")]})
    if has_personal_number(text):
        raise ValidationError({"text": [_("A public text may not hold an ID number or a phone number.")]})
    return text


def publish_public_text(actor: Any, case_id: Any, text: str) -> Case:
    """Set the case's public text (empty: nothing published); scoped like every case read, so a case
    outside the actor's areas is NotFound; audited with the text's length, not the text itself."""
    with transaction.atomic():
        case = get_visible_case(actor, case_id, lock=True)
        if not may_publish(actor, case):
            raise PermissionDenied(_("Your role does not allow publishing a text about this case."))
        text = _checked(text)
        before = case.public_text
        if text == before:
            return case
        case.public_text = text
        case.public_text_at = timezone.now() if text else None
        case.save(update_fields=["public_text", "public_text_at", "updated_at"])
        audit.log(
            AuditEvent.Action.UPDATE,
            actor,
            obj=case,
            detail={
                "what": "public text",
                "published": bool(text),
                "length": len(text),
                "before": len(before),
            },
        )
    return case

"""Break the glass: a protected key person outside the user's areas opened for a stated reason,
for settings.BREAK_GLASS_HOURS, logged, listed on the auditor's home page.

Asked for by typing an ID number or the record's number (never from a 404 page, which would
confirm that something is there). A refusal says the same whatever the cause: no such person,
not a protected key person, or no role allowed to break the glass in the first place is told
apart only by the permission check of the page. Refusals are logged too, without the number typed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gridwork.accounts.access import REGISTER_BREAK_GLASS, REGISTER_VIEW, can, has_capability
from gridwork.accounts.models import GlassBreak
from gridwork.core import audit
from gridwork.core.models import AuditEvent
from gridwork.core.system import is_system
from gridwork.registry.choices import PersonStatus, Sensitivity
from gridwork.registry.models import Person, PersonTag

REASON_MIN = 10
RECORD_NUMBER_MAX_DIGITS = 12  # an ID number has 15 or 18 characters; a record number fewer


@dataclass
class Outcome:
    """The person to open (granted now, or already in the user's areas), or None when refused."""

    person: Person | None
    grant: GlassBreak | None = None


def refusal_message() -> str:
    return _(
        "No access was opened. Break the glass opens only a protected key person outside your "
        "areas; check the number."
    )


def is_protected(person: Person, today: dt.date) -> bool:
    """A person with a current key-people tag of a sensitive group."""
    return PersonTag.objects.filter(
        Q(until__isnull=True) | Q(until__gte=today),
        person=person,
        group__sensitivity__gt=Sensitivity.NORMAL,
    ).exists()


def _find(identifier: str) -> Person | None:
    text = identifier.strip().upper()
    if text.isdigit() and len(text) <= RECORD_NUMBER_MAX_DIGITS:
        return Person.objects.filter(pk=int(text)).first()
    if 15 <= len(text) <= 32:
        return Person.objects.filter(id_number=text).exclude(status=PersonStatus.DECEASED).first()
    return None


def _check_asker(actor: Any, reason: str) -> str:
    if is_system(actor) or not has_capability(actor, REGISTER_BREAK_GLASS):
        raise PermissionDenied(_("Your role may not break the glass."))
    reason = (reason or "").strip()
    if len(reason) < REASON_MIN:
        raise ValidationError(
            {"reason": [_("State why you must open this record (at least 10 characters).")]}
        )
    return reason[:300]


def break_glass(actor: Any, identifier: str, reason: str, *, now: dt.datetime | None = None) -> Outcome:
    reason = _check_asker(actor, reason)
    now = now or timezone.now()
    with transaction.atomic():
        person = _find(identifier or "")
        if person is not None and can(actor, REGISTER_VIEW, person.grid_id):
            return Outcome(person)  # in the user's areas already: nothing to open, nothing revealed
        if person is None or not is_protected(person, timezone.localdate(now)):
            audit.log(AuditEvent.Action.BREAK_GLASS, actor, reason=reason, detail={"granted": False})
            return Outcome(None)
        # Locked so that two requests for the same person write their grants one after the other.
        Person.objects.select_for_update().filter(pk=person.pk).first()
        until = now + dt.timedelta(hours=settings.BREAK_GLASS_HOURS)
        grant = GlassBreak(
            user=actor,
            object_type=Person._meta.label_lower,
            object_id=str(person.pk),
            area_code=person.grid_id,
            reason=reason,
            opened_at=now,
            until=until,
        )
        grant.save()
        audit.log(
            AuditEvent.Action.BREAK_GLASS,
            actor,
            obj=person,
            reason=reason,
            detail={"granted": True, "until": until.isoformat(), "grant": grant.pk},
        )
    return Outcome(person, grant)

"""Uniqueness answers that reveal nothing outside the caller's scope.

A living person's ID number, a household's number, a building's or object's code and an
organisation's credit code are unique across the district. When the record that already holds the
value lies outside the caller's scope, the answer is only "already registered in another area":
no name, no area, no id, not even which kind of record it found beyond the field asked about. The
attempt is written to the audit log (with the other record, for the auditor), after the refused
write is rolled back, so the entry stays.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from gridwork.core import audit
from gridwork.core.models import AuditEvent
from gridwork.core.system import is_system
from gridwork.registry import choices as c
from gridwork.registry.models import Building, FacilityObject, Household, Organization, Person

# model → its fields unique across the district (Person's ID number: among the living, in _holders)
UNIQUE_FIELDS: dict[type[models.Model], tuple[str, ...]] = {
    Household: ("number",),
    Building: ("code",),
    FacilityObject: ("code",),
    Organization: ("credit_code",),
}


def elsewhere_message() -> str:
    return _("Already registered in another area.")


@dataclass(frozen=True)
class Clash:
    field: str
    other_pk: Any
    visible: bool


def _holders(instance: models.Model) -> list[tuple[str, models.QuerySet]]:
    """(field, the other records holding the instance's value) for each of its unique fields."""
    found: list[tuple[str, models.QuerySet]] = []
    manager = type(instance)._default_manager
    if isinstance(instance, Person) and instance.id_number and instance.status != c.PersonStatus.DECEASED:
        others = manager.filter(id_type=instance.id_type, id_number=instance.id_number).exclude(
            status=c.PersonStatus.DECEASED
        )
        found.append(("id_number", others))
    for name in UNIQUE_FIELDS.get(type(instance), ()):
        value = getattr(instance, name)
        if value not in (None, ""):
            found.append((name, manager.filter(**{name: value})))
    return [(name, qs.exclude(pk=instance.pk) if instance.pk else qs) for name, qs in found]


def clashes(actor: Any, instance: models.Model) -> list[Clash]:
    """The instance's values already held by another record, and whether the actor may see it."""
    result = []
    for name, others in _holders(instance):
        other = others.values_list("pk", flat=True).first()
        if other is None:
            continue
        visible = is_system(actor) or others.visible_to(actor).filter(pk=other).exists()
        result.append(Clash(name, other, visible))
    return result


class RegisteredElsewhere(ValidationError):
    """The field errors of a refused write, some of them a clash outside the actor's scope."""

    def __init__(self, errors: dict[str, list[str]], model: type[models.Model], hidden: list[Clash]) -> None:
        super().__init__(errors)
        self.model, self.hidden = model, hidden


def log_attempt(actor: Any, exc: RegisteredElsewhere, area_code: str = "") -> None:
    """One audit entry per value found outside the actor's scope."""
    for clash in exc.hidden:
        audit.log(
            AuditEvent.Action.UNIQUE_ELSEWHERE,
            actor,
            object_type=exc.model._meta.label_lower,
            object_id=str(clash.other_pk),
            area_code=area_code,
            detail={"field": clash.field},
        )

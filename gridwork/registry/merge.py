"""Merging a person registered twice into the record that stays.

The merged record is kept, not deleted: it is marked "moved out" (a deceased one stays deceased)
with a note naming the kept record and the reason, so its history and every audit entry about it
still lead somewhere. Everything that pointed at it moves to the kept record.

The one-living-person-per-ID rule still holds afterwards: the constraint counts every status but
deceased, and a merged record that was not deceased already counted, so its new status adds no
clash; a deceased one keeps its status for that reason.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gridwork.accounts.access import REGISTER_CHANGE
from gridwork.accounts.permissions import require
from gridwork.core import audit
from gridwork.core.encrypted_fields import hash_fields_for
from gridwork.core.errors import NotFound
from gridwork.core.models import AuditEvent
from gridwork.registry import choices as c
from gridwork.registry.models import Building, House, Household, Person, PersonTag
from gridwork.registry.services import _cascade_grid, _notify_after_commit, scoped

REASON_MIN = 4
# Blank fields of the kept record filled from the merged one; nothing already filled is overwritten.
_FILLED_WHEN_BLANK = ("phone", "ethnicity", "education", "work")


def _locked_pair(actor: Any, keep_id: Any, merge_id: Any) -> tuple[Person, Person]:
    # Locked in primary-key order so two merges of the same pair cannot deadlock.
    try:
        ids = sorted({int(keep_id), int(merge_id)})
    except (TypeError, ValueError) as exc:
        raise NotFound(Person._meta.verbose_name) from exc
    found = {p.pk: p for p in scoped(Person, actor).select_for_update().filter(pk__in=ids).order_by("pk")}
    if len(found) != len(ids):
        raise NotFound(Person._meta.verbose_name)
    return found[int(keep_id)], found[int(merge_id)]


def _move(actor: Any, instance: Any, **changes: Any) -> None:
    before = audit.snapshot(instance)
    for name, value in changes.items():
        setattr(instance, name, value)
    instance.save(update_fields=[*changes, *hash_fields_for(type(instance), changes)])
    audit.write_history(actor, instance, "update", before, audit.snapshot(instance))


@transaction.atomic
def merge_persons(actor: Any, keep_id: Any, merge_id: Any, reason: str) -> Person:
    """Fold the record `merge_id` into `keep_id`; returns the kept person."""
    reason = (reason or "").strip()
    if len(reason) < REASON_MIN:
        message = _("State why these records are the same person (at least 4 characters).")
        raise ValidationError({"reason": [message]})
    if str(keep_id) == str(merge_id):
        raise ValidationError({"merge": [_("A record cannot be merged into itself.")]})
    keep, merged = _locked_pair(actor, keep_id, merge_id)
    require(actor, REGISTER_CHANGE, keep.grid_id)
    require(actor, REGISTER_CHANGE, merged.grid_id)

    keep_before, merged_before = audit.snapshot(keep), audit.snapshot(merged)
    moved: dict[str, list[int]] = {"tags": [], "houses": [], "buildings": [], "households": []}

    # Household: the kept record joins the merged one's household only if it has none of its own.
    if keep.household_id is None and merged.household_id is not None:
        keep.household_id = merged.household_id
        keep.relation = merged.relation
        keep.grid_id = merged.grid_id
    for name in _FILLED_WHEN_BLANK:
        if not getattr(keep, name) and getattr(merged, name):
            setattr(keep, name, getattr(merged, name))

    for household in Household.objects.select_for_update().filter(head_id=merged.pk).order_by("pk"):
        # The head must be a member; when the kept person lives elsewhere the household has no head
        # until someone names one, which is better than a head who is not there.
        _move(actor, household, head_id=keep.pk if keep.household_id == household.pk else None)
        moved["households"].append(household.pk)
    for house in House.objects.select_for_update().filter(owner_id=merged.pk).order_by("pk"):
        _move(actor, house, owner_id=keep.pk)
        moved["houses"].append(house.pk)
    for building in Building.objects.select_for_update().filter(head_id=merged.pk).order_by("pk"):
        _move(actor, building, head_id=keep.pk)
        moved["buildings"].append(building.pk)
    held = set(PersonTag.objects.filter(person_id=keep.pk).values_list("group_id", flat=True))
    for tag in PersonTag.objects.select_for_update().filter(person_id=merged.pk).order_by("pk"):
        # A group the kept record already holds stays on the merged record: its dates and details
        # remain readable there rather than being folded into a second, overlapping tag.
        if tag.group_id in held:
            continue
        _move(actor, tag, person_id=keep.pk, grid_id=keep.grid_id)
        held.add(tag.group_id)
        moved["tags"].append(tag.pk)

    keep.save()
    audit.write_history(actor, keep, "update", keep_before, audit.snapshot(keep))
    if keep_before["grid_id"] != keep.grid_id:
        _cascade_grid(actor, keep)

    note = _("Merged into record #%(keep)s: %(reason)s") % {"keep": keep.pk, "reason": reason}
    merged.notes = f"{merged.notes}\n{note}".strip()
    merged.household_id = None
    merged.relation = ""
    if merged.status != c.PersonStatus.DECEASED:
        merged.status = c.PersonStatus.MOVED_OUT
    merged.save()
    audit.write_history(actor, merged, "update", merged_before, audit.snapshot(merged))

    audit.log(
        AuditEvent.Action.UPDATE,
        actor,
        obj=keep,
        reason=reason[:300],
        detail={"merge": {"kept": keep.pk, "merged": merged.pk, "moved": moved}},
    )
    _notify_after_commit(keep, "update")
    _notify_after_commit(merged, "update")
    return keep

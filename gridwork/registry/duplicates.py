"""Finding people registered more than once, within what the user may see.

What can really collide, given the database rule "one living person per (ID type, ID number)"
(the constraint `one_living_person_per_id` counts every status except deceased):

- The same number under two ID types: a resident ID entered once as "resident ID card" and once
  as "other document" (or a passport number reused as "other"). The constraint cannot see it.
- Case and space variants: the services store ID numbers stripped and upper-cased, but rows
  written around them (old data, a database console, an import from before that rule) may hold
  "…123x" next to "…123X", or "A 1234567" next to "A1234567".
- A deceased record and a living one with the same number: allowed by the constraint (the dead
  keep their number), yet a resident ID is never given twice, so one of the two is wrong.
- The same person under two different numbers (a typo, an old 15-digit card, a passport then a
  resident card): no ID match at all; found only as a likely duplicate by name and birth date,
  or by name and phone.

Records marked "moved out" are left out: they are no longer in the grid's register, and a merge
leaves the merged record moved out, so a merged pair drops off the list. A deceased record is
compared by ID number only (a death recorded on the wrong one of two records).

Every search is a GROUP BY over the scoped queryset (`visible_to(user)`), then one query for the
members of the groups found, so the work grows with the number of duplicates, not with the
square of the register.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, QuerySet
from django.utils.translation import gettext_lazy as _

from gridwork.core.masking import mask_id_number, mask_phone
from gridwork.registry.choices import PersonStatus
from gridwork.registry.models import Person
from gridwork.registry.services import scoped

LIVING, MOVED_OUT = PersonStatus.LIVING, PersonStatus.MOVED_OUT

SAME_ID = "same_id"
NAME_BIRTH = "name_birth"
NAME_PHONE = "name_phone"

KIND_LABELS = {
    SAME_ID: _("Same ID number"),
    NAME_BIRTH: _("Same name and birth date"),
    NAME_PHONE: _("Same name and phone"),
}

# Groups per kind on one page; a register with more needs cleaning grid by grid.
DEFAULT_LIMIT = 200


@dataclass
class DuplicateGroup:
    kind: str
    # What the members share, masked for display (never a full ID number, phone or birth date).
    shown_key: str
    members: list[Person] = field(default_factory=list)

    @property
    def label(self) -> str:
        return str(KIND_LABELS[self.kind])

    @property
    def member_ids(self) -> frozenset[int]:
        return frozenset(p.pk for p in self.members)


def _scoped(user: Any) -> QuerySet:
    return scoped(Person, user)


def _group_keys(qs: QuerySet, fields: list[str], limit: int) -> list[tuple[Any, ...]]:
    rows = (
        qs.order_by()
        .values(*fields)
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .order_by(*fields)
        .values_list(*fields)[:limit]
    )
    return [tuple(row) for row in rows]


def _collect(
    members: QuerySet, key_of: Callable[[Person], tuple[Any, ...]], keys: list[tuple[Any, ...]]
) -> dict[tuple[Any, ...], list[Person]]:
    wanted = set(keys)
    grouped: dict[tuple[Any, ...], list[Person]] = defaultdict(list)
    for person in members.order_by("pk"):
        key = key_of(person)
        if key in wanted:
            grouped[key].append(person)
    return grouped


def same_id_groups(user: Any, limit: int = DEFAULT_LIMIT) -> list[DuplicateGroup]:
    """Records whose ID numbers are equal after removing spaces and case, whatever their ID type.

    The numbers are encrypted, so they are grouped by the keyed hash of that form (id_number_key)."""
    qs = _scoped(user).exclude(id_number="").exclude(status=MOVED_OUT)
    keys = _group_keys(qs, ["id_number_key"], limit)
    if not keys:
        return []
    members = qs.filter(id_number_key__in=[k[0] for k in keys])
    grouped = _collect(members, lambda p: (p.id_number_key,), keys)
    return [
        DuplicateGroup(SAME_ID, mask_id_number(grouped[key][0].id_number), grouped[key])
        for key in keys
        if len(grouped[key]) > 1
    ]


def name_birth_groups(user: Any, limit: int = DEFAULT_LIMIT) -> list[DuplicateGroup]:
    qs = _scoped(user).filter(status=LIVING)
    keys = _group_keys(qs, ["name", "birth_date"], limit)
    if not keys:
        return []
    members = qs.filter(name__in={k[0] for k in keys}, birth_date__in={k[1] for k in keys})
    grouped = _collect(members, lambda p: (p.name, p.birth_date), keys)
    return [DuplicateGroup(NAME_BIRTH, key[0], grouped[key]) for key in keys if len(grouped[key]) > 1]


def name_phone_groups(user: Any, limit: int = DEFAULT_LIMIT) -> list[DuplicateGroup]:
    qs = _scoped(user).filter(status=LIVING).exclude(phone="")
    # Phones are encrypted: grouped by their keyed hash.
    keys = _group_keys(qs, ["name", "phone_hash"], limit)
    if not keys:
        return []
    members = qs.filter(name__in={k[0] for k in keys}, phone_hash__in={k[1] for k in keys})
    grouped = _collect(members, lambda p: (p.name, p.phone_hash), keys)
    return [
        DuplicateGroup(NAME_PHONE, f"{key[0]} · {mask_phone(grouped[key][0].phone)}", grouped[key])
        for key in keys
        if len(grouped[key]) > 1
    ]


def find_duplicates(user: Any, limit: int = DEFAULT_LIMIT) -> list[DuplicateGroup]:
    """All groups in the user's scope; a likely-duplicate group with exactly the members of a group
    already found is left out, so one pair is listed once, under its strongest evidence."""
    found: list[DuplicateGroup] = []
    seen: set[frozenset[int]] = set()
    for finder in (same_id_groups, name_birth_groups, name_phone_groups):
        for group in finder(user, limit):
            if group.member_ids in seen:
                continue
            seen.add(group.member_ids)
            found.append(group)
    return found

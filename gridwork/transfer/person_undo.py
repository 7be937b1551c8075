"""Taking back what a person import wrote, when its writing stopped half-way.

An all-or-nothing import is written in many transactions (`person_write`), so when one fails —
a row clashes with a write made since the check, the database errs, the process is killed —
the batches before it are already committed. They are undone here from what each batch's own
transaction recorded in its summary entry on the job, so the undo needs nothing from the
process that wrote (`services.recover_interrupted_imports` runs it for a killed one):

- updated people get back the values of their history entry's "before", field by field, where
  they still hold the import's "after" (a later change by someone else is kept, and counted);
- heads the import gave to households are taken back;
- created people are deleted through the ORM, so their counts and anything made on them since
  (tags) go as with any deletion; one that another record now protects is kept, and counted;
- households and houses the import made are deleted through the services, if nothing else has
  joined them since.

Each batch is undone newest first, in transactions of `UNDO_ROWS` records (the deletions cost a
few queries each, and the lock is held for each transaction only), and ends with an "undo"
entry naming it, so an undo that is itself interrupted starts again after the batches it finished.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models.deletion import ProtectedError, RestrictedError

from gridwork.core import audit
from gridwork.core.encrypted_fields import hash_fields_for
from gridwork.core.errors import NotFound
from gridwork.core.models import RecordHistory
from gridwork.registry.models import House, Household, Person
from gridwork.registry.services import cascade_grid, delete_record
from gridwork.transfer.lease import Lease
from gridwork.transfer.person_write import JOB, history_entry

UNDO_ROWS = 200


@dataclass
class Undone:
    deleted: int = 0
    restored: int = 0
    # Records left as they are: changed or referred to by others since the import wrote them.
    kept: list[str] = field(default_factory=list)


def undo(lease: Lease, actor: Any) -> Undone:
    """Take back every batch the job wrote (and has not taken back yet)."""
    job_id = str(lease.job.pk)
    history = RecordHistory.objects.filter(object_type=JOB, object_id=job_id)
    finished = {entry.after.get("batch") for entry in history.filter(action="undo")}
    outcome = Undone()
    for summary in history.filter(action="import").order_by("-pk"):
        if summary.pk not in finished:
            _undo_batch(lease, actor, summary, outcome)
    return outcome


def _chunks(items: list, size: int = UNDO_ROWS) -> list[list]:
    return [items[start : start + size] for start in range(0, len(items), size)] or [[]]


def _undo_batch(lease: Lease, actor: Any, summary: RecordHistory, outcome: Undone) -> None:
    done = summary.after
    updates = list(RecordHistory.objects.filter(pk__in=done.get("updates", [])).order_by("-pk"))
    for chunk in _chunks(updates):
        with lease.transaction():
            for entry in chunk:
                _restore(actor, entry, outcome)
    with lease.transaction():
        for household, person in done.get("household_heads", []):
            Household.objects.filter(pk=household, head_id=person).update(head=None)
    ids = []
    if done.get("ids"):
        first, last = done["ids"]
        others = set(done.get("others", []))
        ids = [pk for pk in range(first, last + 1) if pk not in others]
    chunks = _chunks(ids)
    for number, chunk in enumerate(chunks, start=1):
        with lease.transaction():
            _delete_people(chunk, outcome)
            if number == len(chunks):
                _delete_made(actor, done, outcome)
                entry = {"batch": summary.pk, "rows": done.get("rows", []), "kept": outcome.kept[-100:]}
                history_entry(actor, JOB, str(lease.job.pk), "", "undo", {}, entry).save()


def _restore(actor: Any, entry: RecordHistory, outcome: Undone) -> None:
    person = Person.objects.select_for_update().filter(pk=entry.object_id).first()
    if person is None:
        outcome.kept.append(f"registry.person:{entry.object_id}")
        return
    current = audit.snapshot(person)
    before, after_import = audit.history_values(entry)
    if all(current.get(name) == value for name, value in before.items()):
        return  # taken back already (an undo that was interrupted)
    if any(current.get(name) != value for name, value in after_import.items()):
        outcome.kept.append(f"registry.person:{entry.object_id}")
        return
    fields = []
    for attname, value in before.items():
        model_field = Person._meta.get_field(attname)  # a field by its attname as well as its name
        setattr(person, model_field.attname, model_field.to_python(value))
        fields.append(model_field.name)
    person.save(update_fields=fields + hash_fields_for(Person, fields))
    after = audit.snapshot(person)
    history_entry(
        actor,
        "registry.person",
        entry.object_id,
        person.grid_id,
        "undo",
        {name: current.get(name) for name in entry.before},
        {name: after.get(name) for name in entry.before},
    ).save()
    if current.get("grid_id") != person.grid_id:
        cascade_grid(actor, person)
    outcome.restored += 1


def _delete_people(ids: list[int], outcome: Undone) -> None:
    if not ids:
        return
    try:
        outcome.deleted += Person.objects.filter(pk__in=ids).delete()[1].get(Person._meta.label, 0)
    except (ProtectedError, RestrictedError):
        # Something made since refers to one of them: take the others one by one, keep that one.
        for pk in ids:
            try:
                outcome.deleted += Person.objects.filter(pk=pk).delete()[1].get(Person._meta.label, 0)
            except (ProtectedError, RestrictedError):
                outcome.kept.append(f"registry.person:{pk}")


def _delete_made(actor: Any, done: dict[str, Any], outcome: Undone) -> None:
    """The households and houses the batch made, unless someone has used them since."""
    for model, pks, used in (
        (Household, done.get("households", []), lambda pk: Person.objects.filter(household_id=pk).exists()),
        (House, done.get("houses", []), lambda pk: Household.objects.filter(house_id=pk).exists()),
    ):
        for pk in pks:
            if not model.objects.filter(pk=pk).exists():
                continue
            if used(pk):
                outcome.kept.append(f"{model._meta.label_lower}:{pk}")
                continue
            try:
                delete_record(actor, model, pk)
            except (NotFound, PermissionDenied, ValidationError):
                outcome.kept.append(f"{model._meta.label_lower}:{pk}")

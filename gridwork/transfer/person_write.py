"""The writing of a checked person import: one short transaction per batch.

`person_check` has checked the whole file; its batches (`spool.Batch`, `person_check.BATCH_ROWS`
rows each) are written here one transaction at a time, so SQLite's write lock is held for tens
of milliseconds and a web request's write waits at most that long. Each batch's transaction:

1. renews the job's claim (`lease`), or stops if another process took the job over;
2. makes the households the batch names first, through the services (history and audit each);
3. confirms what the check relied on and another writer may have changed since: the households
   still in their grid, no living person holding a new ID number, the updated people as the
   check read them. A row that no longer holds raises WriteRefused, and the caller undoes the
   batches already written (`person_undo`);
4. inserts the new people (INSERT … RETURNING id) and updates the changed ones;
5. sets the head of households that had none, applies the batch's change to the register's
   counts (`registry.counts`, exact in the same transaction) and writes the batch's history.

History: an updated person gets its own RecordHistory entry (before/after of the changed
fields). Created people get one summary entry per batch, on the import job
("transfer.importjob"), naming the rows, the range of new ids and the households whose head was
set — one history row per created person would halve the import's speed, and the created record
itself is its own "after". The summary also names what `person_undo` needs to take the batch
back: the update entries, and the households and houses made. The import as a whole writes one
AuditEvent (services._audit).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from django.apps import apps
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridwork.core import audit
from gridwork.core.encrypted_fields import row_sealer
from gridwork.core.models import RecordHistory
from gridwork.core.system import is_system
from gridwork.registry import choices as c
from gridwork.registry import counts
from gridwork.registry.models import Household, Person
from gridwork.registry.record_rules import person_clash_message
from gridwork.registry.services import cascade_grid
from gridwork.registry.signals import register_changed
from gridwork.transfer.columns import Kind
from gridwork.transfer.lease import Lease
from gridwork.transfer.person_check import COLUMNS
from gridwork.transfer.rows import ColumnErrors, RowInvalid, create_household
from gridwork.transfer.spool import Batch

JOB = "transfer.importjob"
# Rows per INSERT: 17 values each stays under SQLite's limit of 32,766 parameters a statement.
INSERT_ROWS = 1000
_AT = {attname: n for n, attname in enumerate(COLUMNS)}
HEAD = c.Relation.HEAD.value
DECEASED = c.PersonStatus.DECEASED.value


class WriteRefused(Exception):
    """Rows that no longer hold at their write (errors by row number): the import is undone."""

    def __init__(self, errors: dict[int, ColumnErrors]) -> None:
        super().__init__(errors)
        self.errors = errors


def history_entry(
    actor: Any, object_type: str, object_id: str, area: str, action: str, before: dict, after: dict
) -> RecordHistory:
    return RecordHistory(
        actor=None if is_system(actor) else actor,
        actor_label="system" if is_system(actor) else actor.get_username(),
        object_type=object_type,
        object_id=object_id,
        area_code=area,
        action=action,
        # A person's ID number and phone go into history encrypted, as in the register itself.
        before=audit.sealed(apps.get_model(object_type), before),
        after=audit.sealed(apps.get_model(object_type), after),
    )


class PersonWrite:
    def __init__(
        self,
        kind: Kind,
        actor: Any,
        lease: Lease,
        *,
        headless: set[int],
        after_batch: Callable[[int], None],
    ) -> None:
        self.kind, self.actor, self.lease = kind, actor, lease
        self.job_id = lease.job.pk
        self.headless = headless
        self.after_batch = after_batch
        # New household numbers of the file → the id of the household made for it.
        self.made: dict[str, int] = {}
        self.written = 0
        self.msg_changed = _("This record changed while the file was being checked; import the file again.")
        meta = Person._meta
        quote = connection.ops.quote_name
        by_attname = {f.attname: f for f in meta.concrete_fields}
        # The ID number and phone leave here encrypted, with their hashes (core.encrypted_fields).
        self.seal = row_sealer([by_attname[a] for a in COLUMNS])
        columns = ", ".join(quote(by_attname[a].column) for a in [*COLUMNS, "updated_at"])
        # Table and column names come from the model, quoted; values are always parameters.
        table = quote(meta.db_table)
        self.insert_head = f"INSERT INTO {table} ({columns}) VALUES "  # noqa: S608
        self.row_marks = "(" + ", ".join(["%s"] * (len(COLUMNS) + 1)) + ")"
        self.returning = f" RETURNING {quote(meta.pk.column)}"
        sets = ", ".join(f"{quote(by_attname[a].column)} = %s" for a in [*COLUMNS, "updated_at"])
        self.update_sql = f"UPDATE {table} SET {sets} WHERE {quote(meta.pk.column)} = %s"  # noqa: S608
        self.copy_sql = f"COPY {table} ({quote(meta.pk.column)}, {columns}) FROM STDIN"
        self.reserve_sql = (
            f"SELECT nextval(pg_get_serial_sequence('{meta.db_table}', '{meta.pk.column}'))"  # noqa: S608
            " FROM generate_series(1, %s)"
        )
        household = Household._meta
        self.household_sql = (
            f"SELECT {quote(household.pk.column)}, {quote(household.get_field('grid').column)} "  # noqa: S608
            f"FROM {quote(household.db_table)} WHERE {quote(household.pk.column)} "
            + ("= ANY(" if connection.vendor == "postgresql" else "IN (")
        )

    def write(self, batches: Iterable[Batch]) -> None:
        for batch in batches:
            try:
                with self.lease.transaction():
                    self._write(batch)
            except IntegrityError as exc:
                # A living person with a new ID number, or a household gone, since the check.
                message = _("The register changed while rows %(first)s to %(last)s were written.") % {
                    "first": batch.first_row,
                    "last": batch.last_row,
                }
                raise WriteRefused(self._clashes(batch) or {batch.first_row: {"": [message]}}) from exc
            self.written += len(batch)
            self.after_batch(self.written)

    def _write(self, batch: Batch) -> None:
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        households, houses = self._make_households(batch)
        at_household = _AT["household_id"]
        creates = [
            (row, values if planned is None else _with(values, at_household, self.made[planned]))
            for row, values, planned in batch.creates
        ]
        updates = []
        for row, before, after, planned in batch.updates:
            if planned is not None:
                after["household_id"] = self.made[planned]
            updates.append((row, before, after))
        self._confirm(creates, updates, set(households))
        ids = self._insert(creates, now)
        delta: Counter = Counter()
        grids: set[str] = set()
        counted = Counter(
            (v[_AT["grid_id"]], v[_AT["status"]], v[_AT["political_status"]]) for _r, v in creates
        )
        for (grid, status, political), n in counted.items():
            grids.add(grid)
            for key, value in counts._person_counts(grid, status, political).items():
                delta[key] += value * n
        entries = self._update(updates, now, delta, grids)
        heads = self._set_heads(creates, ids, updates)
        counts.apply(delta)
        if not (creates or entries or heads or households):
            return
        summary = {
            "model": "registry.person",
            "rows": [batch.first_row, batch.last_row],
            "created": len(creates),
            "ids": [ids[0], ids[-1]] if ids else [],
            "household_heads": heads,
        }
        if ids and ids[-1] - ids[0] + 1 != len(ids):
            # Ids in the range that another transaction took meanwhile (PostgreSQL): not ours to undo.
            summary["others"] = sorted(set(range(ids[0], ids[-1] + 1)) - set(ids))
        if entries:
            summary["updates"] = entries
        if households:
            summary["households"], summary["houses"] = households, houses
        history_entry(self.actor, JOB, str(self.job_id), "", "import", {}, summary).save()
        transaction.on_commit(functools.partial(_notify, sorted(grids)))

    def _make_households(self, batch: Batch) -> tuple[list[int], list[int]]:
        """The households the file names first in this batch (and their houses), through the services."""
        households, houses = [], []
        for row, values in batch.households:
            try:
                household, house = create_household(self.kind, self.actor, values)
            except RowInvalid as exc:
                raise WriteRefused({row: exc.errors}) from exc
            self.made[values["household_number"]] = household.pk
            self.headless.add(household.pk)
            households.append(household.pk)
            if house is not None:
                houses.append(house.pk)
        return households, houses

    def _confirm(self, creates: list[tuple[int, tuple]], updates: list, made_now: set[int]) -> None:
        """What the check relied on, still so under this transaction's lock; else WriteRefused.

        A new ID number that a living person took since the check needs no query here: the
        database's one_living_person_per_id refuses the insert, and `_clashes` names the rows.
        """
        errors: dict[int, ColumnErrors] = {}
        at_household, at_grid = _AT["household_id"], _AT["grid_id"]
        grids_of: dict[int, list[tuple[int, str]]] = defaultdict(list)
        for row, values in creates:
            if values[at_household] and values[at_household] not in made_now:
                grids_of[values[at_household]].append((row, values[at_grid]))
        for row, _before, after in updates:
            if after["household_id"] and after["household_id"] not in made_now:
                grids_of[after["household_id"]].append((row, after["grid_id"]))
        if grids_of:
            found = self._household_grids(list(grids_of))
            for household, uses in grids_of.items():
                for row, grid in uses:
                    if found.get(household) != grid:
                        errors[row] = {"household_number": [self.msg_changed]}
        if updates:
            current = {
                row["id"]: row
                for row in Person.objects.select_for_update()
                .filter(pk__in=[after["id"] for _row, _before, after in updates])
                .values("id", *COLUMNS)
            }
            for row, before, after in updates:
                now = current.get(after["id"])
                if now is None or any(now[a] != before[a] for a in COLUMNS):
                    errors[row] = {"": [self.msg_changed]}
        if errors:
            raise WriteRefused(errors)

    def _household_grids(self, ids: list[int]) -> dict[int, str]:
        """Household id → grid. Plain SQL: the ORM's IN of a thousand ids cost 7 ms a batch on SQLite,
        this 2; PostgreSQL takes the ids as one array, binding a thousand parameters cost it 12 ms."""
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(self.household_sql + "%s)", [ids])
            else:
                cursor.execute(self.household_sql + ", ".join(["%s"] * len(ids)) + ")", ids)
            return dict(cursor.fetchall())

    def _clashes(self, batch: Batch) -> dict[int, ColumnErrors]:
        """The rows of a refused batch whose ID number a living person holds now."""
        wanted: dict[str, list[tuple[int, str, int | None]]] = defaultdict(list)
        for row, values, _planned in batch.creates:
            if values[_AT["status"]] != DECEASED:
                wanted[values[_AT["id_number"]]].append((row, values[_AT["id_type"]], None))
        for row, _before, after, _planned in batch.updates:
            if after["status"] != DECEASED:
                wanted[after["id_number"]].append((row, after["id_type"], after["id"]))
        errors: dict[int, ColumnErrors] = {}
        holders = (
            Person.objects.filter(id_number__in=list(wanted))
            .exclude(status=DECEASED)
            .values_list("id_type", "id_number", "pk")
        )
        for id_type, id_number, pk in holders:
            for row, want_type, own in wanted[id_number]:
                if want_type == id_type and pk != own:
                    errors[row] = {"id_number": [person_clash_message()]}
        return errors

    def _insert(self, creates: list[tuple[int, tuple]], now: Any) -> list[int]:
        """The new people's ids, in row order.

        Plain SQL rather than bulk_create: a model instance a row and Django's preparation of
        each of its values made the insert four times slower (6,500 against 29,000 rows/s on SQLite).
        """
        if connection.vendor == "postgresql":
            return self._copy(creates, now)
        ids: list[int] = []
        with connection.cursor() as cursor:
            for start in range(0, len(creates), INSERT_ROWS):
                chunk = creates[start : start + INSERT_ROWS]
                params: list[Any] = []
                for _row, values in chunk:
                    params += self.seal(list(values))
                    params.append(now)
                cursor.execute(
                    self.insert_head + ", ".join([self.row_marks] * len(chunk)) + self.returning, params
                )
                ids += [pk for (pk,) in cursor.fetchall()]
        # RETURNING promises no order, but one statement numbers its rows in order (SQLite under its
        # write lock, PostgreSQL from the sequence), so the n-th smallest id is the n-th row's.
        ids.sort()
        return ids

    def _copy(self, creates: list[tuple[int, tuple]], now: Any) -> list[int]:
        """PostgreSQL takes the rows by COPY, 3.5 times faster than any INSERT there (17,000 against
        5,000 rows/s, measured); their ids are taken from the table's sequence first, so they are
        known, and ours alone (another transaction's nextval never returns them)."""
        if not creates:
            return []
        with connection.cursor() as cursor:
            cursor.execute(self.reserve_sql, [len(creates)])
            ids = sorted(pk for (pk,) in cursor.fetchall())
            # The driver's own cursor: its errors are made Django's (a clash an IntegrityError).
            with connection.wrap_database_errors, cursor.cursor.copy(self.copy_sql) as copy:
                for pk, (_row, values) in zip(ids, creates, strict=True):
                    copy.write_row((pk, *self.seal(list(values)), now))
        return ids

    def _update(self, updates: list, now: Any, delta: Counter, grids: set[str]) -> list[int]:
        """The changed people written, each with its history entry; the entries' ids."""
        entries, params, moved = [], [], []
        adapt_date = connection.ops.adapt_datefield_value
        for _row, before, after in updates:
            old = {a: _plain(before[a]) for a in COLUMNS}
            new = {a: _plain(after[a]) for a in COLUMNS}
            changed = [a for a in COLUMNS if old[a] != new[a]]
            if not changed:
                continue
            delta.subtract(
                counts._person_counts(before["grid_id"], before["status"], before["political_status"])
            )
            delta.update(counts._person_counts(after["grid_id"], after["status"], after["political_status"]))
            if (before["status"] == c.PersonStatus.LIVING) != (after["status"] == c.PersonStatus.LIVING):
                sign = 1 if after["status"] == c.PersonStatus.LIVING else -1
                for key, n in counts._open_tags_of(after["id"]).items():
                    delta[key] += sign * n
            if before["grid_id"] != after["grid_id"]:
                moved.append(after)
            grids.update((before["grid_id"], after["grid_id"]))
            entries.append(
                history_entry(
                    self.actor,
                    "registry.person",
                    str(after["id"]),
                    after["grid_id"],
                    "update",
                    {a: old[a] for a in changed},
                    {a: new[a] for a in changed},
                )
            )
            values = [after[a] for a in COLUMNS]
            values[_AT["birth_date"]] = adapt_date(after["birth_date"])
            params.append([*self.seal(values), now, after["id"]])
        if params:
            with connection.cursor() as cursor:
                cursor.executemany(self.update_sql, params)
        for after in moved:
            # The person's tags follow it to its new grid, each with its own history (rare: moves only).
            person = Person(pk=after["id"], grid_id=after["grid_id"])
            person._state.adding = False
            cascade_grid(self.actor, person)
        RecordHistory.objects.bulk_create(entries)
        return [entry.pk for entry in entries]

    def _set_heads(self, creates: list[tuple[int, tuple]], ids: list[int], updates: list) -> list[list[int]]:
        """A household without a head gets the file's first person related to it as head."""
        candidates = []
        at_relation, at_household = _AT["relation"], _AT["household_id"]
        for (row, values), pk in zip(creates, ids, strict=True):
            if values[at_relation] == HEAD and values[at_household]:
                candidates.append((row, values[at_household], pk))
        for row, _before, after in updates:
            if after["relation"] == HEAD and after["household_id"]:
                candidates.append((row, after["household_id"], after["id"]))
        chosen: dict[int, int] = {}
        for _row, household, pk in sorted(candidates):
            if household in self.headless:
                chosen.setdefault(household, pk)
        self.headless.difference_update(chosen)
        return [
            [household, pk]
            for household, pk in sorted(chosen.items())
            if Household.objects.filter(pk=household, head__isnull=True).update(head_id=pk)
        ]


def _with(values: tuple, position: int, value: Any) -> tuple:
    return (*values[:position], value, *values[position + 1 :])


def _plain(value: Any) -> Any:
    """As `core.audit.snapshot` stores a value: dates as ISO text."""
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _notify(grids: list[str]) -> None:
    for grid in grids:
        register_changed.send(sender=Person, pk=None, grid_code=grid, action="import")

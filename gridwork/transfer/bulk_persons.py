"""The bulk path of the person import: a million rows validated by the register's rules, written in batches.

Every row is checked with the same rules as `registry.services.save_record`, in the same order
(references, the grid, the actor's scope, then all field rules together — see
`registry.record_rules.validate_person_values`), but without a query per row:

- references come from maps loaded once, keys and ids only: grid codes, households by number
  (id, grid), living people by ID document (id);
- the actor's scope is `scope_codes` read once, then a prefix test per row;
- duplicates inside the file are found with a dict of the ID numbers seen.

Rows are taken in batches (`BATCH_ROWS`); a batch's new people are inserted with one
`executemany`, its updated people with another, inside the caller's one transaction, so a bad
row anywhere rolls back the whole file. Once a row has failed, later batches are still checked
(the report lists every error up to the cap) but no longer written.

A row that names a household not yet in the register is the exception: it goes through the
row-by-row path (`rows.apply_row`), which creates the household (and its house) through the
services; the new household then joins the map for the rows after it.

History: an updated person gets its own RecordHistory entry (before/after of the changed fields),
written in bulk. Created people get one summary RecordHistory entry per batch, on the import
job ("transfer.importjob"), naming the rows, the range of new ids and the households whose head
was set — one history row per created person would halve the import's speed, and the created
record itself is its own "after". The import as a whole writes one AuditEvent (services._audit).
The register's counts (`registry.counts`) are kept exact by adding up the changes of every
batch and applying the sum at the end, in the same transaction.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridwork.accounts.access import REGISTER_CHANGE, REGISTER_VIEW, scope_codes
from gridwork.areas.models import Area, Level
from gridwork.core.errors import NotFound
from gridwork.core.models import RecordHistory
from gridwork.core.system import is_system
from gridwork.registry import choices as c
from gridwork.registry import counts
from gridwork.registry.models import Household, Person
from gridwork.registry.record_rules import field_rules, validate_person_values
from gridwork.registry.services import cascade_grid, derive_person_values
from gridwork.registry.signals import register_changed
from gridwork.transfer import fast_persons
from gridwork.transfer.columns import Kind
from gridwork.transfer.fast_rows import RowParser
from gridwork.transfer.rows import RowInvalid, _remap, apply_row

BATCH_ROWS = 5000
ITER_CHUNK = 20_000

Report = Callable[[int, dict[str, list[str]], list[Any]], None]


def person_key(id_type: str | None, id_number: str) -> str:
    """One string per ID document: the number alone for the common resident ID (less memory)."""
    if not id_type or id_type == c.IdType.RESIDENT_ID:
        return id_number
    return f"{id_type}\x00{id_number}"


class PersonBulkImport:
    """Feed (row number, cells) in file order; `finish()` at the end. Counts are attributes."""

    def __init__(
        self,
        kind: Kind,
        index: dict[str, int],
        actor: Any,
        *,
        job_id: int,
        update: bool,
        write: bool,
        report: Report,
        tick: Callable[[], None],
    ) -> None:
        self.kind, self.index, self.actor, self.job_id = kind, index, actor, job_id
        self.update, self.write, self.report, self.tick = update, write, report, tick
        self.parser = RowParser(kind, index)
        self.field_columns = [
            (col.key, col.field) for col in kind.columns if col.field and col.field != "grid"
        ]
        self.rules = field_rules(Person)
        self.defaults = {**self.rules.defaults(), "grid_id": None, "household_id": None, "updated_at": None}
        self.failed = False
        self.created = self.updated = self.ok = 0
        self.buffer: list[tuple[int, list[Any]]] = []
        self.seen: dict[str, int] = {}
        self.grids_touched: set[str] = set()
        # The changes to the register's counts, added up over the file and applied once at the end.
        self.delta: Counter = Counter()
        self.moved_grid = False
        if is_system(actor):
            self.view_codes: tuple[str, ...] | None = None
            self.change_codes: tuple[str, ...] | None = None
        else:
            self.view_codes = tuple(scope_codes(actor, REGISTER_VIEW))
            self.change_codes = tuple(scope_codes(actor, REGISTER_CHANGE))
        self._load_maps()
        self._prepare_sql()
        self.adapt_date = connection.ops.adapt_datefield_value
        self.fast = fast_persons.generate(
            kind,
            index,
            self.parser.outcomes,
            fields=self.fields,
            editable=self.rules.fields,
            defaults=self.defaults,
            grids=self.grids,
            households=self.households,
            living=self.living,
            view_codes=self.view_codes,
            change_codes=self.change_codes,
            adapt_date=self.adapt_date,
            today=dt.date.today(),
        )
        at = self.attnames.index
        self.at_relation, self.at_id_number, self.at_household = (
            at("relation"),
            at("id_number"),
            at("household_id"),
        )
        self.at_grid, self.at_status, self.at_political = at("grid_id"), at("status"), at("political_status")
        self.at_updated, self.at_birth = at("updated_at"), at("birth_date")
        self.msg_no_record = _("No such record in your area.")
        self.msg_no_grid = _("No grid has this code.")
        self.msg_blank = _("This field cannot be blank.")
        self.msg_scope = _("You may not do this in this area.")

    # --- set-up ---------------------------------------------------------------------------------

    def _load_maps(self) -> None:
        # Grid codes are interned through this dict, so a million references share a few thousand strings.
        self.grids: dict[str, str] = {
            code: code for code in Area.objects.filter(level=Level.GRID).values_list("code", flat=True)
        }
        self.households: dict[str, tuple[int, str]] = {}
        # Households without a head: the first person related to it as head becomes its head.
        self.headless: set[int] = set()
        grids = self.grids
        for number, pk, grid, head in _raw_rows(
            Household.objects.values_list("number", "pk", "grid_id", "head_id").order_by()
        ):
            self.households[number] = (pk, grids.get(grid, grid))
            if head is None:
                self.headless.add(pk)
        self.living: dict[str, int] = {}
        resident = c.IdType.RESIDENT_ID.value
        # The common resident ID keyed by its number alone, as person_key does, without a call a row.
        for id_type, id_number, pk in _raw_rows(
            Person.objects.exclude(status=c.PersonStatus.DECEASED)
            .values_list("id_type", "id_number", "pk")
            .order_by()
        ):
            self.living[id_number if not id_type or id_type == resident else f"{id_type}\x00{id_number}"] = pk

    def _prepare_sql(self) -> None:
        meta = Person._meta
        self.fields = [f for f in meta.concrete_fields if not f.primary_key]
        self.attnames = [f.attname for f in self.fields]
        # Table and column names come from the model, quoted; values are always parameters.
        quote = connection.ops.quote_name
        table = quote(meta.db_table)
        columns = ", ".join(quote(f.column) for f in self.fields)
        marks = ", ".join(["%s"] * len(self.fields))
        self.insert_sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608
        sets = ", ".join(f"{quote(f.column)} = %s" for f in self.fields)
        self.update_sql = f"UPDATE {table} SET {sets} WHERE {quote(meta.pk.column)} = %s"  # noqa: S608
        # PostgreSQL takes the rows by COPY, several times faster than INSERT for a batch.
        self.copy_sql = f"COPY {table} ({columns}) FROM STDIN"  # noqa: S608
        self.max_id_sql = f"SELECT MAX({quote(meta.pk.column)}) FROM {table}"  # noqa: S608
        hh = Household._meta
        self.head_sql = (
            f"UPDATE {quote(hh.db_table)} SET {quote('head_id')} = %s "  # noqa: S608
            f"WHERE {quote(hh.pk.column)} = %s AND {quote('head_id')} IS NULL"
        )

    # --- feeding --------------------------------------------------------------------------------

    def feed(self, number: int, cells: list[Any]) -> None:
        self.buffer.append((number, cells))
        if len(self.buffer) >= BATCH_ROWS:
            self._flush()

    def finish(self) -> None:
        self._flush()
        if self.write and not self.failed and self.delta:
            # Once for the file, not per batch: one UPDATE per (metric, change) instead of ~90 a batch.
            counts.apply(self.delta)
        if self.write and not self.failed and self.grids_touched:
            grids = sorted(self.grids_touched)
            transaction.on_commit(lambda: _notify(grids))

    def _in(self, codes: tuple[str, ...] | None, grid: str) -> bool:
        return codes is None or grid.startswith(codes)

    # --- one batch ------------------------------------------------------------------------------

    def _flush(self) -> None:
        batch, self.buffer = self.buffer, []
        if not batch:
            return
        self._flush_batch(batch)

    def _flush_batch(self, batch: list[tuple[int, list[Any]]]) -> None:
        # First the shortcut for clean new people (fast_persons), then the full path for the rest.
        fast, parse = self.fast, self.parser.parse
        quick = [fast(cells) for _number, cells in batch]
        parsed = [
            (number, cells, *parse(cells)) if row is None else (number, cells, None, None)
            for (number, cells), row in zip(batch, quick, strict=True)
        ]
        existing = self._existing_of(parsed) if self.update else {}
        inserts: list[list[Any]] = []
        changes: list[tuple[dict[str, Any], dict[str, Any]]] = []
        heads: list[tuple[int, int]] = []  # (household id, person id, or -n for the n-th new person)
        first_row = batch[0][0]
        seen, tick, at_id = self.seen, self.tick, self.at_id_number
        at_relation, at_household, head = self.at_relation, self.at_household, c.Relation.HEAD.value
        for (number, cells, values, errors), row in zip(parsed, quick, strict=True):
            if row is not None:
                first = seen.setdefault(row[at_id], number)
                if first == number:
                    inserts.append(row)
                    if row[at_relation] == head and row[at_household]:
                        heads.append((row[at_household], -len(inserts)))
                    self.created += 1
                    self.ok += 1
                    tick()
                    continue
                # A duplicate inside the file: the full path reports it.
                values, errors = parse(cells)
            if errors is None:
                errors = self._duplicate(number, values)
            if errors is None:
                try:
                    outcome = self._check(values, existing)
                    if outcome is None:
                        self._slow(values)
                except RowInvalid as exc:
                    errors = exc.errors
                except NotFound:
                    errors = {"": [self.msg_no_record]}
                else:
                    if outcome is None:
                        pass
                    elif outcome[0] == "create":
                        inserts.append(self._params(outcome[1]))
                        if outcome[1]["relation"] == c.Relation.HEAD and outcome[1]["household_id"]:
                            # -n: the n-th new person of the batch (its id is known after the insert).
                            heads.append((outcome[1]["household_id"], -len(inserts)))
                        self.created += 1
                        self.ok += 1
                    else:
                        changes.append((outcome[1], outcome[2]))
                        after = outcome[2]
                        if after["relation"] == c.Relation.HEAD and after["household_id"]:
                            heads.append((after["household_id"], after["id"]))
                        self.updated += 1
                        self.ok += 1
            if errors:
                self.failed = True
                self.report(number, errors, cells)
            self.tick()
        if self.write and not self.failed:
            self._write(inserts, changes, heads, first_row, batch[-1][0])

    def _params(self, record: dict[str, Any]) -> list[Any]:
        """A new record's insert parameters, as the shortcut gives them (updated_at set at the write)."""
        row = [record[a] for a in self.attnames]
        row[self.at_birth] = self.adapt_date(row[self.at_birth])
        return row

    def _duplicate(self, number: int, values: dict[str, Any]) -> dict[str, list[str]] | None:
        id_number = values.get("id_number")
        if not id_number:
            return None
        first = self.seen.setdefault(str(id_number), number)
        if first != number:
            return {"id_number": [_("Also in row %(row)s of this file.") % {"row": first}]}
        return None

    def _existing_of(self, parsed: list) -> dict[int, dict[str, Any]]:
        """The visible people the batch's rows match, by id, with their household's grid."""
        pks = []
        for _number, _cells, values, errors in parsed:
            if errors is None and values and values.get("id_number"):
                pk = self.living.get(person_key(values.get("id_type"), values["id_number"]))
                if pk is not None:
                    pks.append(pk)
        if not pks:
            return {}
        rows: dict[int, dict[str, Any]] = {}
        query = Person.objects.filter(pk__in=pks)
        if self.view_codes is not None:
            query = query.visible_to(self.actor)
        for row in query.select_for_update(of=("self",)).values("id", *self.attnames, "household__grid_id"):
            rows[row["id"]] = row
        return rows

    # --- the rules of one row, in save_record's order ------------------------------------------

    def _check(self, values: dict[str, Any], existing: dict[int, dict[str, Any]]) -> tuple | None:
        """("create", values) or ("update", before, after); None: a new household (row by row)."""
        before = None
        if self.update:
            pk = self.living.get(person_key(values.get("id_type"), values["id_number"]))
            before = existing.get(pk) if pk is not None else None
            if before is not None and not self._in(self.change_codes, before["grid_id"]):
                raise RowInvalid({"grid": [self.msg_scope]})
        number = values.get("household_number")
        household = None
        grid = values.get("grid") or None
        if number:
            household = self.households.get(number)
            if household is None:
                return None
            grid = None  # the household decides the grid
            if not self._in(self.view_codes, household[1]):
                raise RowInvalid({"household_number": [self.msg_no_record]})
        elif grid is not None and grid not in self.grids:
            raise RowInvalid({"grid": [self.msg_no_grid]})
        record = dict(self.defaults) if before is None else {a: before[a] for a in self.attnames}
        for key, field in self.field_columns:
            value = values.get(key)
            if value is not None and value != "":
                record[field] = value
        if grid is not None:
            record["grid_id"] = grid
        if household is not None:
            record["household_id"], record["grid_id"] = household
        elif before is not None and before["household_id"]:
            record["grid_id"] = before["household__grid_id"]
        record["id_number"], record["phone"], record["birth_date"], record["sex"] = derive_person_values(
            record["id_type"], record["id_number"], record["phone"], record["birth_date"], record["sex"]
        )
        if not record["grid_id"]:
            raise RowInvalid({"grid": [self.msg_blank]})
        if not self._in(self.change_codes, record["grid_id"]):
            raise RowInvalid({"grid": [self.msg_scope]})
        holder = self.living.get(person_key(record["id_type"], record["id_number"]))
        clash = holder is not None and (before is None or holder != before["id"])
        errors = validate_person_values(record, clash=clash)
        if errors:
            raise RowInvalid(_remap(self.kind, ValidationError(errors), "grid"))
        if before is None:
            return ("create", record)
        record["id"] = before["id"]
        return ("update", before, record)

    def _slow(self, values: dict[str, Any]) -> None:
        """A row with a new household: through the services, then the household joins the map."""
        with transaction.atomic():
            action = apply_row(self.kind, self.actor, values, self.update)
        if action == "create":
            self.created += 1
        else:
            self.updated += 1
        self.ok += 1
        household = (
            Household.objects.filter(number=values["household_number"])
            .values_list("pk", "grid_id", "head_id")
            .first()
        )
        if household is not None:
            pk, grid, head = household
            self.households[values["household_number"]] = (pk, self.grids.get(grid, grid))
            self.grids_touched.add(grid)
            if head is None:
                self.headless.add(pk)

    # --- writing one batch ----------------------------------------------------------------------

    def _write(
        self,
        inserts: list[list[Any]],
        changes: list[tuple[dict[str, Any], dict[str, Any]]],
        heads: list[tuple[int, int]],
        first_row: int,
        last_row: int,
    ) -> None:
        ops = connection.ops
        now = ops.adapt_datetimefield_value(timezone.now())
        delta = self.delta
        attnames = self.attnames
        with connection.cursor() as cursor:
            cursor.execute(self.max_id_sql)
            id_before = cursor.fetchone()[0] or 0
            if inserts:
                at_grid, at_status, at_political = self.at_grid, self.at_status, self.at_political
                at_updated = self.at_updated
                counted: Counter = Counter()
                for row in inserts:
                    counted[(row[at_grid], row[at_status], row[at_political])] += 1
                    row[at_updated] = now
                self._insert(cursor, inserts)
                for (grid, status, political), n in counted.items():
                    self.grids_touched.add(grid)
                    for key, value in counts._person_counts(grid, status, political).items():
                        delta[key] += value * n
            cursor.execute(self.max_id_sql)
            id_after = cursor.fetchone()[0] or 0
            histories = []
            moved = []
            updates = []
            for before, after in changes:
                old = {a: _plain(before[a]) for a in attnames if a != "updated_at"}
                new = {a: _plain(after[a]) for a in attnames if a != "updated_at"}
                changed = [a for a in old if old[a] != new[a]]
                if not changed:
                    continue
                delta.subtract(
                    counts._person_counts(before["grid_id"], before["status"], before["political_status"])
                )
                delta.update(
                    counts._person_counts(after["grid_id"], after["status"], after["political_status"])
                )
                if (before["status"] == c.PersonStatus.LIVING) != (after["status"] == c.PersonStatus.LIVING):
                    sign = 1 if after["status"] == c.PersonStatus.LIVING else -1
                    for key, n in counts._open_tags_of(after["id"]).items():
                        delta[key] += sign * n
                if before["grid_id"] != after["grid_id"]:
                    moved.append(after)
                self.grids_touched.update((before["grid_id"], after["grid_id"]))
                histories.append(
                    self._history(
                        "registry.person",
                        str(after["id"]),
                        after["grid_id"],
                        "update",
                        {a: old[a] for a in changed},
                        {a: new[a] for a in changed},
                    )
                )
                row = [after[a] for a in attnames]
                row[attnames.index("birth_date")] = ops.adapt_datefield_value(after["birth_date"])
                row[attnames.index("updated_at")] = now
                updates.append([*row, after["id"]])
            if updates:
                cursor.executemany(self.update_sql, updates)
            set_heads = self._set_heads(cursor, heads, id_before, id_after, len(inserts))
        for after in moved:
            # The person's tags follow it to its new grid, each with its own history (rare: moves only).
            person = Person(pk=after["id"], grid_id=after["grid_id"])
            person._state.adding = False
            cascade_grid(self.actor, person)
        if inserts or set_heads:
            histories.append(
                self._history(
                    "transfer.importjob",
                    str(self.job_id),
                    "",
                    "import",
                    {},
                    {
                        "model": "registry.person",
                        "rows": [first_row, last_row],
                        "created": len(inserts),
                        "ids": [id_before + 1, id_after] if inserts else [],
                        "household_heads": set_heads,
                    },
                )
            )
        RecordHistory.objects.bulk_create(histories, batch_size=1000)

    def _insert(self, cursor: Any, rows: list[list[Any]]) -> None:
        if connection.vendor == "postgresql":
            # COPY keeps the row order, so ids are still handed out in file order.
            with cursor.cursor.copy(self.copy_sql) as copy:
                write = copy.write_row
                for row in rows:
                    write(row)
        else:
            cursor.executemany(self.insert_sql, rows)

    def _set_heads(
        self, cursor: Any, heads: list[tuple[int, int]], id_before: int, id_after: int, inserted: int
    ) -> list[list[int]]:
        """A household without a head gets the first person of the batch related to it as head.

        `heads` holds (household id, person id) in row order; a new person's id is None there and
        carries the position of its insert in the batch instead (see _flush).
        """
        heads = [(h, p) for h, p in heads if h in self.headless]
        if not heads:
            return []
        chosen: dict[int, int] = {}
        sequential = connection.vendor == "sqlite" and id_after - id_before == inserted
        lookup: dict[int, int] = {}
        if not sequential and any(p < 0 for _h, p in heads):
            for household_id, pk in (
                Person.objects.filter(
                    pk__gt=id_before,
                    relation=c.Relation.HEAD,
                    household_id__in={h for h, p in heads if p < 0},
                )
                .order_by("pk")
                .values_list("household_id", "pk")
            ):
                lookup.setdefault(household_id, pk)
        for household_id, person in heads:
            if person >= 0:
                pk = person
            elif sequential:
                # SQLite numbers the rows of one insert one after another (the write lock is ours),
                # so the n-th new person of the batch is id_before + n: no query needed.
                pk = id_before + (-person)
            else:
                pk = lookup.get(household_id)
            if pk is not None:
                chosen.setdefault(household_id, pk)
        pairs = [[chosen[h], h] for h in sorted(chosen)]
        if pairs:
            cursor.executemany(self.head_sql, pairs)
        self.headless.difference_update(chosen)
        return [[h, p] for p, h in pairs]

    def _history(
        self, object_type: str, object_id: str, area: str, action: str, before: dict, after: dict
    ) -> RecordHistory:
        actor = None if is_system(self.actor) else self.actor
        label = "system" if is_system(self.actor) else self.actor.get_username()
        return RecordHistory(
            actor=actor,
            actor_label=label,
            object_type=object_type,
            object_id=object_id,
            area_code=area,
            action=action,
            before=before,
            after=after,
        )


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """The cyclic garbage collector paused for a bulk import, and resumed after (even on an error).

    The import keeps a batch of some 20,000 lists and tuples alive at a time; they survive the
    young generations, so the collector's full passes come often and scan the whole heap again
    and again: a tenth of the import's time for nothing, since the rows hold no cycles (memory is
    freed by reference counting as ever). Process-wide, like every `gc` setting: meant for the
    import task's own run.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _raw_rows(query: Any) -> Iterator[tuple]:
    """The rows of a values_list query as the driver gives them: no per-row ORM work.

    Only for columns the driver returns as Python wants them (text and integers), and a query
    with no converters: the maps of a million-row import load in a third of the time.
    """
    sql, params = query.query.get_compiler(using=query.db).as_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while chunk := cursor.fetchmany(ITER_CHUNK):
            yield from chunk


def _plain(value: Any) -> Any:
    """As `core.audit.snapshot` stores a value: dates as ISO text."""
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _notify(grids: list[str]) -> None:
    for grid in grids:
        register_changed.send(sender=Person, pk=None, grid_code=grid, action="import")

"""The check of a person import: every row by the register's rules, before anything is written.

Every row is checked with the rules of `registry.services.save_record`, in its order
(references, the grid, the actor's scope, then all field rules together — see
`registry.record_rules.validate_person_values`), but without a query per row:

- references come from maps loaded once, keys and ids only: grid codes, households by number
  (id, grid), living people by ID document (id);
- the actor's scope is `scope_codes` read once, then a prefix test per row;
- duplicates inside the file are found with a dict of the ID numbers seen;
- in update mode the people the rows match are read a batch of rows at a time.

A household number the register does not know yet is checked by the services' own checks
(`rows.planned_household_grid`, which writes nothing); the rows after it join the planned
household, which `person_write` makes before the people of the batch that names it first.

Nothing here opens a transaction: on SQLite every transaction takes the write lock at BEGIN.
The rows that pass go to the spool a batch (`BATCH_ROWS`) at a time, as the insert values of a
new person or the before and after of an updated one; once a row has failed, the later rows are
still checked (the report lists every error up to the cap) but no longer kept.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable, Iterator
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils.translation import gettext as _

from gridwork.accounts.access import REGISTER_CHANGE, REGISTER_VIEW, scope_codes
from gridwork.areas.models import Area, Level
from gridwork.core.errors import NotFound
from gridwork.core.system import is_system
from gridwork.registry import choices as c
from gridwork.registry.models import Household, Person
from gridwork.registry.record_rules import (
    RESIDENT_ID,
    derive_person_values,
    field_rules,
    person_clash_message,
    validate_person_values,
)
from gridwork.registry.uniqueness import Clash, RegisteredElsewhere, elsewhere_message, log_attempt
from gridwork.transfer.columns import Kind
from gridwork.transfer.rows import ColumnErrors, RowInvalid, RowReader, _remap, planned_household_grid
from gridwork.transfer.spool import Batch, Spool

# Rows of one write transaction (see person_write): at about 40 µs a row, some 40 ms of the lock.
BATCH_ROWS = 1000
ITER_CHUNK = 20_000

# A new person's values, in the order of the insert (the id and updated_at are the database's).
COLUMNS: list[str] = [
    f.attname for f in Person._meta.concrete_fields if not f.primary_key and f.attname != "updated_at"
]

Report = Callable[[int, ColumnErrors, list[Any]], None]


def person_key(id_type: str | None, id_number: str) -> str:
    """One string per ID document: the number alone for the common resident ID (less memory)."""
    if not id_type or id_type == RESIDENT_ID:
        return id_number
    return f"{id_type}\x00{id_number}"


class PersonCheck:
    """Feed (row number, cells) in file order, then `finish()`. Counts are attributes."""

    def __init__(
        self,
        kind: Kind,
        index: dict[str, int],
        actor: Any,
        *,
        update: bool,
        report: Report,
        tick: Callable[[], None],
        spool: Spool | None,
    ) -> None:
        self.kind, self.actor, self.update = kind, actor, update
        self.report, self.tick, self.spool = report, tick, spool
        self.reader = RowReader(kind, index)
        self.defaults = {**field_rules(Person).defaults(), "grid_id": None, "household_id": None}
        self.values_of = operator.itemgetter(*COLUMNS)
        self.adapt_date = connection.ops.adapt_datefield_value
        self.adapted_dates: dict[Any, Any] = {}
        # The bound of a birth date, read once: the clock costs more than the rest of an ID's check.
        self.today = dt.date.today()
        self.failed = False
        self.created = self.updated = self.ok = 0
        self.buffer: list[tuple[int, list[Any]]] = []
        self.seen: dict[str, int] = {}
        # New household numbers of the file → the grid the household will be in.
        self.planned: dict[str, str] = {}
        if is_system(actor):
            self.view_codes: tuple[str, ...] | None = None
            self.change_codes: tuple[str, ...] | None = None
        else:
            self.view_codes = tuple(scope_codes(actor, REGISTER_VIEW))
            self.change_codes = tuple(scope_codes(actor, REGISTER_CHANGE))
        self._load_maps()
        self.msg_no_record = _("No such record in your area.")
        self.msg_no_grid = _("No grid has this code.")
        self.msg_blank = _("This field cannot be blank.")
        self.msg_scope = _("You may not do this in this area.")

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
        # Living people by the keyed hash of their ID document: the numbers are encrypted, and
        # reading the hashes needs no decryption of a million values.
        self.living: dict[str, int] = {}
        for id_type, id_hash, pk in _raw_rows(
            Person.objects.exclude(status=c.PersonStatus.DECEASED)
            .values_list("id_type", "id_number_hash", "pk")
            .order_by()
        ):
            self.living[person_key(id_type, id_hash)] = pk
        self.id_field = Person._meta.get_field("id_number")

    def _holder(self, id_type: str | None, id_number: str) -> int | None:
        """The living person holding this ID document (its hash under any FIELD_HMAC_KEYS key)."""
        for digest in self.id_field.hashes_of(id_number):
            pk = self.living.get(person_key(id_type, digest))
            if pk is not None:
                return pk
        return None

    def feed(self, number: int, cells: list[Any]) -> None:
        self.buffer.append((number, cells))
        if len(self.buffer) >= BATCH_ROWS:
            self._check_batch()

    def finish(self) -> None:
        self._check_batch()

    def _in(self, codes: tuple[str, ...] | None, grid: str) -> bool:
        return codes is None or grid.startswith(codes)

    def _check_batch(self) -> None:
        rows, self.buffer = self.buffer, []
        if not rows:
            return
        read = self.reader.read
        parsed = [(number, cells, *read(cells)) for number, cells in rows]
        existing = self._existing_of(parsed) if self.update else {}
        batch = Batch(rows[0][0], rows[-1][0])
        for number, cells, values, errors in parsed:
            if errors is None:
                errors = self._duplicate(number, values)
            if errors is None:
                try:
                    self._check_row(number, values, existing, batch)
                except RowInvalid as exc:
                    errors = exc.errors
                except NotFound:
                    errors = {"": [self.msg_no_record]}
            if errors:
                self.failed = True
                self.report(number, errors, cells)
            self.tick()
        if not self.failed and self.spool is not None:
            self.spool.add(batch)

    def _duplicate(self, number: int, values: dict[str, Any]) -> ColumnErrors | None:
        first = self.seen.setdefault(values["id_number"], number)
        if first != number:
            return {"id_number": [_("Also in row %(row)s of this file.") % {"row": first}]}
        return None

    def _existing_of(self, parsed: list) -> dict[int, dict[str, Any]]:
        """The visible people the rows match, by id, with their household's grid (read, not locked:
        the writer locks them and finds out whether they changed since)."""
        pks = []
        for _number, _cells, values, errors in parsed:
            if errors is None:
                pk = self._holder(values.get("id_type"), values["id_number"])
                if pk is not None:
                    pks.append(pk)
        if not pks:
            return {}
        query = Person.objects.filter(pk__in=pks)
        if self.view_codes is not None:
            query = query.visible_to(self.actor)
        return {row["id"]: row for row in query.values("id", *COLUMNS, "household__grid_id")}

    def _household(
        self, number: int, values: dict[str, Any], batch: Batch
    ) -> tuple[int | None, str, str | None]:
        """(household id or None, its grid, the number of a household still to make, or None)."""
        household_number = values["household_number"]
        known = self.households.get(household_number)
        if known is not None:
            if not self._in(self.view_codes, known[1]):
                # Held outside the actor's areas: as save_record answers a household number there.
                errors = {"household_number": [elsewhere_message()]}
                clash = Clash("number", known[0], visible=False)
                log_attempt(self.actor, RegisteredElsewhere(errors, Household, [clash]))
                raise RowInvalid(errors)
            return known[0], known[1], None
        grid = self.planned.get(household_number)
        if grid is None:
            grid = planned_household_grid(self.kind, self.actor, values)
            self.planned[household_number] = grid
            batch.households.append((number, values))
        return None, grid, household_number

    def _visible(self, pk: int) -> bool:
        return self.view_codes is None or Person.objects.visible_to(self.actor).filter(pk=pk).exists()

    def _registered_elsewhere(self, errors: dict[str, list[str]], holder: int, grid: str) -> None:
        """The ID number is held outside the actor's scope: the answer says only that (as
        save_record's does), and the attempt goes to the audit log, one entry per row. The check
        writes nothing else, so no rollback takes the entry away."""
        errors["id_number"] = [elsewhere_message()]
        clash = Clash("id_number", holder, visible=False)
        log_attempt(self.actor, RegisteredElsewhere(errors, Person, [clash]), area_code=grid)

    def _check_row(
        self, number: int, values: dict[str, Any], existing: dict[int, dict[str, Any]], batch: Batch
    ) -> None:
        """The row's record by save_record's rules, in its order, added to the batch; or RowInvalid."""
        before = None
        if self.update:
            pk = self._holder(values.get("id_type"), values["id_number"])
            before = existing.get(pk) if pk is not None else None
            if before is not None and not self._in(self.change_codes, before["grid_id"]):
                raise RowInvalid({"grid": [self.msg_scope]})
        household = planned = None
        grid = values.get("grid") or None
        if values.get("household_number"):
            household_id, grid, planned = self._household(number, values, batch)
            household = (household_id, grid)
            grid = None  # the household decides the grid
        elif grid is not None and grid not in self.grids:
            raise RowInvalid({"grid": [self.msg_no_grid]})
        record = dict(self.defaults) if before is None else {a: before[a] for a in COLUMNS}
        # A person column is keyed by the field it fills (columns.PERSONS), so the row's values
        # (blanks left out) go over the record as they are; the references' keys are ignored.
        record.update(values)
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
        holder = self._holder(record["id_type"], record["id_number"])
        clash = holder is not None and (before is None or holder != before["id"])
        errors = validate_person_values(record, clash=clash, today=self.today)
        if clash and person_clash_message() in errors.get("id_number", ()) and not self._visible(holder):
            self._registered_elsewhere(errors, holder, record["grid_id"])
        if errors:
            raise RowInvalid(_remap(self.kind, ValidationError(errors), "grid"))
        if before is None:
            birth = record["birth_date"]
            adapted = self.adapted_dates.get(birth)
            if adapted is None:
                adapted = self.adapted_dates[birth] = self.adapt_date(birth)  # some 30,000 days at most
            record["birth_date"] = adapted
            batch.creates.append((number, self.values_of(record), planned))
            self.created += 1
        else:
            record["id"] = before["id"]
            batch.updates.append((number, before, record, planned))
            self.updated += 1
        self.ok += 1


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

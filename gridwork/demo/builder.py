"""Build (and wipe) the demo district fast: batched inserts with primary keys assigned up front.

Per-row services would write a history row and an audit entry for each of two million records;
instead the rows are valid by construction (codes, check digits, points inside polygons), the
few areas and users go in with bulk_create, the register with one prepared INSERT per table and
executemany in batches, all in one transaction, and ONE audit event records the build. Foreign
keys in Django's schema are deferred to commit, so rows may point at rows of a later batch.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import random
import time
from collections.abc import Callable, Iterator
from typing import Any

from django.apps import apps as django_apps
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models import Max
from django.utils import timezone

from gridwork.accounts.models import ApiToken, RoleAssignment, User
from gridwork.areas.geometry import parse_polygon
from gridwork.areas.models import Area, AreaBoundary, level_of_code
from gridwork.core import audit
from gridwork.core.encrypted_fields import encrypted_fields, row_sealer
from gridwork.core.models import AuditEvent
from gridwork.core.system import SYSTEM
from gridwork.core.validators import validate_area_code
from gridwork.demo import vocab
from gridwork.demo.fieldwork_patrols import build_patrols
from gridwork.demo.fieldwork_reports import build_fieldwork_reports
from gridwork.demo.fieldwork_visits import build_fieldwork_visits
from gridwork.demo.history import build_history
from gridwork.demo.layout import DistrictPlan, Rect, plan_district
from gridwork.demo.office_work import build_office_work
from gridwork.demo.people import GroupInfo, PeopleMaker
from gridwork.demo.register import RegisterMaker
from gridwork.demo.users import create_users
from gridwork.registry.counts import rebuild_counts
from gridwork.registry.models import (
    Building,
    FacilityObject,
    House,
    Household,
    KeyGroup,
    Organization,
    Person,
    PersonTag,
)

DEFAULT_SCALE = 0.005
MIN_SCALE, MAX_SCALE = 0.0001, 2.0
BOUNDARY_DATE = dt.date(2024, 1, 1)
PEOPLE_PER_BATCH = 5000

# Insert order (parents first, though deferred constraints would allow any order).
REGISTER_MODELS: list[type[models.Model]] = [
    Organization,
    Building,
    House,
    Household,
    Person,
    PersonTag,
    FacilityObject,
]
# Wiped by --force, children first; the audit log and record history are append-only and stay.
WIPE_MODELS: list[type[models.Model]] = [
    PersonTag,
    Person,
    Household,
    House,
    Building,
    FacilityObject,
    Organization,
    ApiToken,  # refers to a role assignment (a token acts with one role)
    RoleAssignment,
    AreaBoundary,
    Area,
]

# Work recorded on the demo district goes with it: cases and what they notified (children first).
DEPENDENT_MODELS = (
    "fieldwork.PatrolFix",
    "fieldwork.PatrolFinding",
    "fieldwork.Patrol",
    "fieldwork.SyncEntry",
    "fieldwork.Memo",
    "fieldwork.Visit",
    # Field work, part "reports" (children first; decisions refer to cases)
    "fieldwork.ReportEvent",
    "fieldwork.ReportLapse",
    "fieldwork.WeeklyReportLine",
    "fieldwork.WeeklyReport",
    "fieldwork.WorkLogLine",
    "fieldwork.WorkLog",
    "fieldwork.Decision",
    "fieldwork.Task",
    "fieldwork.Feedback",
    "fieldwork.MeetingAttendee",
    "fieldwork.Meeting",
    "notify.Notification",
    "notify.WebhookDelivery",
    "notify.WebhookSubscription",
    "cases.CasePhoto",
    "cases.CaseEvent",
    "cases.Case",
    "transfer.ImportJob",
)

Progress = Callable[[str], None]


class DemoError(Exception):
    """The demo district cannot be built as asked."""


def _adapter(field: models.Field) -> Callable[[Any], Any] | None:
    """How a value of the field becomes a driver parameter, when it cannot go as it is."""
    ops = connection.ops
    if isinstance(field, models.DateTimeField):
        return ops.adapt_datetimefield_value
    if isinstance(field, models.DateField):
        return ops.adapt_datefield_value
    if isinstance(field, models.DecimalField):
        return lambda value: ops.adapt_decimalfield_value(value, field.max_digits, field.decimal_places)
    if isinstance(field, models.JSONField):
        return lambda value: field.get_db_prep_save(value, connection)
    return None


class Table:
    """One model's INSERT statement and the conversion of a row dict into its parameters."""

    def __init__(self, model: type[models.Model]) -> None:
        qn = connection.ops.quote_name
        fields = list(model._meta.concrete_fields)
        # Names come from the model's meta, quoted; values are parameters.
        columns = ", ".join(qn(f.column) for f in fields)
        marks = ", ".join(["%s"] * len(fields))
        self.sql = f"INSERT INTO {qn(model._meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608
        # A field the generator does not set (say, one added to the model later) gets its default.
        self.slots = [(f.attname, f.get_default()) for f in fields]
        # ID numbers and phones are written encrypted, with their hashes (core.encrypted_fields);
        # numbers typed into free text sealed (core.sealed_text).
        sealing = encrypted_fields(model) or any(getattr(f, "seals_text", False) for f in fields)
        self.seal = row_sealer(fields) if sealing else None
        self.stamped = [
            (i, _adapter(f))
            for i, f in enumerate(fields)
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        ]
        stamped = {i for i, _ in self.stamped}
        self.adapted = [(i, a) for i, f in enumerate(fields) if i not in stamped and (a := _adapter(f))]

    def params(self, rows: list[dict]) -> list[list]:
        slots, adapted = self.slots, self.adapted
        now = timezone.now()
        stamps = [(i, adapt(now)) for i, adapt in self.stamped]
        result = []
        for row in rows:
            values = [row.get(name, default) for name, default in slots]
            if self.seal is not None:
                self.seal(values)
            for i, adapt in adapted:
                if values[i] is not None:
                    values[i] = adapt(values[i])
            for i, value in stamps:
                values[i] = value
            result.append(values)
        return result


class Writer:
    """Buffers row dicts per model and inserts them with executemany; hands out primary keys.

    bulk_create would spend most of the build compiling SQL value by value (measured: three
    quarters of the time); one prepared INSERT per table with executemany does not.
    """

    def __init__(self, model_list: list[type[models.Model]]) -> None:
        self.tables = {m: Table(m) for m in model_list}
        self.buffers: dict[type[models.Model], list[dict]] = {m: [] for m in model_list}
        self.next_ids = {m: (m._default_manager.aggregate(m=Max("pk"))["m"] or 0) + 1 for m in model_list}
        self.counts = {m: 0 for m in model_list}

    def new_id(self, model: type[models.Model]) -> int:
        value = self.next_ids[model]
        self.next_ids[model] = value + 1
        return value

    def add(self, model: type[models.Model], row: dict) -> None:
        self.buffers[model].append(row)

    def pending(self, model: type[models.Model]) -> int:
        return len(self.buffers[model])

    def flush(self) -> None:
        with connection.cursor() as cursor:
            for model, rows in self.buffers.items():
                if rows:
                    table = self.tables[model]
                    cursor.executemany(table.sql, table.params(rows))
                    self.counts[model] += len(rows)
                    rows.clear()


@contextlib.contextmanager
def _fast_sqlite() -> Iterator[None]:
    """A larger page cache while building: the ID-number index takes random inserts."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = cursor.fetchone()[0]
        cursor.execute("PRAGMA cache_size = -200000")  # KiB
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before)}")


def _reset_sequences(model_list: list[type[models.Model]]) -> None:
    """PostgreSQL sequences do not see explicit keys; move them past the rows just inserted."""
    statements = connection.ops.sequence_reset_sql(no_style(), model_list)
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


def finish_load() -> None:
    """After the load commits: fresh planner statistics, and on SQLite a WAL file shrunk back.

    Outside a transaction only (a test's or the caller's transaction defers it to them).
    """
    if connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("ANALYZE")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        elif connection.vendor == "postgresql":
            for model in [Area, AreaBoundary, *REGISTER_MODELS]:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def district_exists() -> bool:
    return Area.objects.exists()


def _area_rows(plan: DistrictPlan, first_id: int) -> tuple[list[Area], list[AreaBoundary]]:
    """The area tree as instances with their keys set, so children name their parent without a query."""
    areas: list[Area] = []
    boundaries: list[AreaBoundary] = []

    def area(code: str, name: str, parent: Area | None, rect: Rect, **fields: object) -> Area:
        validate_area_code(code)
        row = Area(
            id=first_id + len(areas),
            code=code,
            name=name,
            level=level_of_code(code),
            parent_id=parent.id if parent else None,
            **fields,
        )
        areas.append(row)
        geojson = rect.geojson()
        parse_polygon(geojson)  # the same check set_boundary makes
        boundaries.append(
            AreaBoundary(
                area_id=row.id,
                geojson=geojson,
                valid_from=BOUNDARY_DATE,
                min_lon=rect.x0,
                min_lat=rect.y0,
                max_lon=rect.x1,
                max_lat=rect.y1,
            )
        )
        return row

    district = area(plan.code, plan.name, None, plan.rect, rural=False)
    for street in plan.streets:
        s = area(street.code, street.name, district, street.rect, rural=street.rural)
        for community in street.communities:
            cm = area(
                community.code,
                community.name,
                s,
                community.rect,
                rural=community.rural,
                community_kind=community.kind,
            )
            for grid in community.grids:
                area(
                    grid.code,
                    grid.name,
                    cm,
                    grid.rect,
                    rural=grid.rural,
                    target_households=max(10, round(grid.households, -1)),
                    target_people=max(10, round(grid.people, -1)),
                    duties=vocab.GRID_DUTIES,
                )
    return areas, boundaries


def build_demo(
    scale: float = DEFAULT_SCALE, seed: int = 1, progress: Progress | None = None, *, history: bool = True
) -> dict[str, int]:
    """Build the demo district into an empty area tree; returns the counts of what was made.

    `history`: also a year of work on it through the services (cases, imports, reveals, exports);
    the benchmark leaves it out and brings its own cases."""
    if not MIN_SCALE <= scale <= MAX_SCALE:
        raise DemoError(f"The scale must be between {MIN_SCALE} and {MAX_SCALE}.")
    say = progress or (lambda message: None)
    started = time.monotonic()
    rng = random.Random(seed)
    plan = plan_district(scale, rng)
    grids = plan.grids()
    target_people = sum(g.people for g in grids)
    say(
        f"plan: {len(plan.streets)} streets, {len(plan.communities())} communities, {len(grids)} grids, "
        f"{target_people:,} people (scale {scale}, seed {seed})"
    )
    with _fast_sqlite(), transaction.atomic():
        if district_exists():
            raise DemoError("The area tree is not empty.")
        writer = Writer(REGISTER_MODELS)
        areas, boundaries = _area_rows(plan, (Area.objects.aggregate(m=Max("pk"))["m"] or 0) + 1)
        Area.objects.bulk_create(areas, batch_size=2000)
        AreaBoundary.objects.bulk_create(boundaries, batch_size=500)
        say(f"areas: {len(areas):,} with boundaries ({time.monotonic() - started:.1f} s)")
        workers, n_users = create_users(plan, rng)
        say(f"users: {n_users} demo users ({time.monotonic() - started:.1f} s)")
        groups = [GroupInfo(g.id, g.code, g.kind == "management") for g in KeyGroup.objects.order_by("code")]
        people = PeopleMaker(rng, plan.code, groups, writer.new_id)
        maker = RegisterMaker(rng, plan.code, people, writer.new_id, writer.add)
        report_every = 100_000 if target_people >= 300_000 else max(1000, target_people // 5)
        next_report = report_every
        for street in plan.streets:
            companies = maker.property_companies(street)
            for community in street.communities:
                maker.community_orgs(community)
                for grid in community.grids:
                    maker.grid(grid, community, companies, workers.get(grid.code))
                    if writer.pending(Person) >= PEOPLE_PER_BATCH:
                        writer.flush()
                    made = maker.counts["people"]
                    if made >= next_report:
                        say(f"people: {made:,} / {target_people:,} ({time.monotonic() - started:.1f} s)")
                        next_report += report_every
        writer.flush()
        _reset_sequences([Area, User, *REGISTER_MODELS])
        # The batched inserts send no model signals, so the per-area counts are made from scratch.
        rebuild_counts()
        say(f"counts: rebuilt ({time.monotonic() - started:.1f} s)")
        worked: dict[str, int] = {}
        if history:
            worked = build_history(seed)
            say(f"cases: {worked['cases']:,} over the last year ({time.monotonic() - started:.1f} s)")
            worked |= build_office_work(seed)
            say(f"imports, exports, reveals: done ({time.monotonic() - started:.1f} s)")
            worked |= build_patrols(seed)
            say(f"patrols: {worked['patrols']:,} ({time.monotonic() - started:.1f} s)")
            worked |= build_fieldwork_visits(seed)
            say(f"visits and memos: {worked.get('visits', 0):,} visits ({time.monotonic() - started:.1f} s)")
            worked |= build_fieldwork_reports(seed)
            say(
                f"weekly reports, meetings: {worked['weekly_reports']:,} ({time.monotonic() - started:.1f} s)"
            )
        counts = {
            "streets": len(plan.streets),
            "communities": len(plan.communities()),
            "grids": len(grids),
            "boundaries": len(boundaries),
            "users": n_users,
            **{m._meta.model_name: writer.counts[m] for m in REGISTER_MODELS},
            **worked,
        }
        seconds = round(time.monotonic() - started, 1)
        audit.log(
            AuditEvent.Action.DEMO,
            SYSTEM,
            object_type="demo",
            area_code=plan.code,
            detail={"scale": scale, "seed": seed, "counts": counts, "seconds": seconds},
        )
    finish_load()
    say(f"done in {time.monotonic() - started:.1f} s: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    return counts


def wipe_demo(progress: Progress | None = None) -> dict[str, int]:
    """Remove the register, the role assignments and the area tree (for --force); audited."""
    say = progress or (lambda message: None)
    with transaction.atomic():
        wiped = [django_apps.get_model(label) for label in DEPENDENT_MODELS] + WIPE_MODELS
        counts = {m._meta.model_name: m._default_manager.count() for m in wiped}
        tables = [connection.ops.quote_name(m._meta.db_table) for m in wiped]
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # TRUNCATE refuses while deferred key checks of this transaction are pending.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute(f"TRUNCATE {', '.join(tables)}")
                # Back to Django's initially-deferred keys for a build in the same transaction.
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            else:
                # One statement per table; the circular keys (household ↔ head) are checked at commit.
                for table in tables:
                    cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - table names from the models
        rebuild_counts()  # nothing left to count: the counts go with the register
        audit.log(AuditEvent.Action.DELETE, SYSTEM, object_type="demo", detail={"wiped": counts})
    say("wiped: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    return counts

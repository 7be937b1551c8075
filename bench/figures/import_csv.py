"""Figure 1: importing a person file, every row validated, against bare references on the same rows.

- CSV: 1,000,000 rows at scale 1 (proportional below) into the demo district's households,
  against one raw `executemany` of the same rows into the same person table (same indexes).
- XLSX: a tenth as many rows, against merely reading the same file with openpyxl's read-only mode.
- Peak memory of the CSV import, traced by tracemalloc in a second run (tracing slows Python, so
  the timed run is untraced).

Both the import and the reference run inside a transaction that is rolled back, so the district
is left as the build made it for the figures after this one.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from bench.core import Context, Row, at_least
from gridwork.core.encrypted_fields import row_sealer
from gridwork.core.system import SYSTEM
from gridwork.demo.codes import ResidentIds
from gridwork.registry.models import Household, Person
from gridwork.transfer import services
from gridwork.transfer.columns import get_kind

KEY = "1"
TITLE = "person import"
NEEDS_SERVER = False
CSV_TARGET, XLSX_TARGET, MEMORY_LIMIT_MB = 0.5, 0.7, 500
FULL_ROWS = 1_000_000
CHUNK = 5000
# A region code the demo builder does not use, so the file's ID numbers are new to the register.
REGION = "650102"


class _Rollback(Exception):
    pass


def _rows(count: int, seed: int, region: str = REGION) -> Iterator[dict[str, Any]]:
    """Synthetic people of existing households, as the columns of the person template; their ID
    numbers are of `region`."""
    households = list(
        Household.objects.order_by("pk").values_list("number", "pk", "grid_id")[: max(count // 2, 1)]
    )
    rng = random.Random(seed)
    ids = ResidentIds(region)
    for i in range(count):
        number, pk, grid = households[i % len(households)]
        sex = "M" if rng.random() < 0.5 else "F"
        id_number, birth = ids.make(dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(29000)), sex)
        yield {
            "household_number": number,
            "household_id": pk,
            "grid_id": grid,
            "relation": "other",
            "name": f"导入{i}",
            "id_number": id_number,
            "sex": sex,
            "birth_date": birth,
            "ethnicity": "汉族",
            "phone": f"139{i % 100_000_000:08d}",
            "political_status": "party_member" if i % 12 == 0 else "masses",
            "work": "单位",
        }


def write_csv(path: Path, count: int, seed: int, region: str = REGION) -> Path:
    """A person file of `count` rows with the template's (Chinese) headers."""
    kind = get_kind("persons")
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(kind.headers("zh-hans"))
        for row in _rows(count, seed, region):
            writer.writerow([row.get(c.key, "") for c in kind.columns])
    return path


def write_files(count: int, seed: int, folder: Path) -> tuple[Path, Path]:
    from openpyxl import Workbook

    kind = get_kind("persons")
    csv_path, xlsx_path = write_csv(folder / "persons.csv", count, seed), folder / "persons.xlsx"
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(kind.headers("zh-hans"))
    for row in _rows(max(count // 10, 1), seed + 1):
        sheet.append([row.get(c.key) for c in kind.columns])
    workbook.save(xlsx_path)
    return csv_path, xlsx_path


def _reference_executemany(count: int, seed: int) -> float:
    """Seconds of raw executemany of the same rows (built outside the clock, chunk by chunk)."""
    fields = [f for f in Person._meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(Person._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    defaults = {"residence_type": "registered", "status": "living", "id_type": "resident_id", "education": ""}
    # ID numbers and phones are stored encrypted with their hashes; sealed outside the clock too.
    seal = row_sealer(fields)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    seconds = 0.0
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            chunk: list[list[Any]] = []
            for row in _rows(count, seed):
                record = {**defaults, **row, "notes": "", "updated_at": now}
                record["birth_date"] = connection.ops.adapt_datefield_value(record["birth_date"])
                chunk.append(seal([record.get(f.attname, "") for f in fields]))
                if len(chunk) == CHUNK:
                    started = time.perf_counter()
                    cursor.executemany(sql, chunk)
                    seconds += time.perf_counter() - started
                    chunk = []
            if chunk:
                started = time.perf_counter()
                cursor.executemany(sql, chunk)
                seconds += time.perf_counter() - started
            raise _Rollback
    except _Rollback:
        pass
    return seconds


def _reference_openpyxl(path: Path) -> float:
    import openpyxl

    started = time.perf_counter()
    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    for _row in workbook.worksheets[0].iter_rows(values_only=True):
        pass
    workbook.close()
    return time.perf_counter() - started


def import_seconds(path: Path, *, trace: bool = False) -> tuple[float, int, int]:
    """(seconds, rows created, peak traced bytes) of one all-or-nothing import, rolled back after."""
    with path.open("rb") as handle:
        job = services.start_import(
            SYSTEM, "persons", handle, path.name, "all_or_nothing", "en", enqueue=False
        )
    peak = 0
    try:
        with transaction.atomic():
            if trace:
                tracemalloc.start()
            started = time.perf_counter()
            job = services.run_import(job.pk)
            seconds = time.perf_counter() - started
            if trace:
                peak = tracemalloc.get_traced_memory()[1]
                tracemalloc.stop()
            raise _Rollback
    except _Rollback:
        pass
    finally:
        services.upload_path(job).unlink(missing_ok=True)
    assert job.errors_count == 0, (
        f"the benchmark file has errors: see {services.error_report_path(job, 'csv')}"
    )
    return seconds, job.created, peak


def run(ctx: Context) -> list[Row]:
    count = max(int(FULL_ROWS * ctx.scale), 100)
    settings.IMPORT_MAX_BYTES = max(getattr(settings, "IMPORT_MAX_BYTES", 0), 2 << 30)
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as folder:
        csv_path, xlsx_path = write_files(count, ctx.seed, Path(folder))
        reference = _reference_executemany(count, ctx.seed)
        ours, created, _peak = import_seconds(csv_path)
        ratio = reference / ours
        rows.append(
            Row(
                figure=f"{KEY}. {TITLE}",
                what=f"CSV, {created:,} people",
                value=round(created / ours),
                unit="rows/s",
                reference=round(count / reference),
                ratio=round(ratio, 2),
                target=f">= {CSV_TARGET}",
                passed=at_least(ratio, CSV_TARGET),
                database=ctx.database,
                note="reference: raw executemany of the same rows into the same table",
            )
        )
        _seconds, _created, peak = import_seconds(csv_path, trace=True)
        rows.append(
            Row(
                figure=f"{KEY}. {TITLE}",
                what=f"CSV, {created:,} people: peak memory (tracemalloc)",
                value=round(peak / 1e6, 1),
                unit="MB",
                reference=None,
                ratio=None,
                target=f"< {MEMORY_LIMIT_MB} MB",
                passed=peak / 1e6 < MEMORY_LIMIT_MB,
                database=ctx.database,
            )
        )
        xlsx_rows = max(count // 10, 1)
        # Best of two, alternating: both sides are dominated by the same XML parsing, so a noisy
        # neighbour on the machine would otherwise decide the ratio.
        reads, imports = [], []
        for _ in range(2):
            reads.append(_reference_openpyxl(xlsx_path))
            imports.append(import_seconds(xlsx_path))
        read = min(reads)
        ours_xlsx, created_xlsx, _peak = min(imports)
        ratio = read / ours_xlsx
        rows.append(
            Row(
                figure=f"{KEY}. {TITLE}",
                what=f"XLSX, {created_xlsx:,} people",
                value=round(created_xlsx / ours_xlsx),
                unit="rows/s",
                reference=round(xlsx_rows / read),
                ratio=round(ratio, 2),
                target=f">= {XLSX_TARGET}",
                passed=at_least(ratio, XLSX_TARGET),
                database=ctx.database,
                note="reference: reading the same file with openpyxl read-only",
            )
        )
    return rows

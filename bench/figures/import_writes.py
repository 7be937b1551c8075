"""Figure 8: case reports from the web keep succeeding while a large person import runs.

A 100,000-person CSV (at scale >= 0.1; 1,000,000 x scale rows below, at least 5,000) is imported
by `gridwork import persons FILE --mode all_or_nothing` in a process of its own, while grid
workers report cases through the web form (POST /cases/new/) over WRITERS connections to gunicorn
x2, each connection one report every INTERVAL_S (paced, latency counted from when each was due).
The reports start BASE_S seconds before the import (their latency without it, for reference) and
stop when it ends. Reported: the reports' p99 during the import, how many, how many failed
(any answer but the redirect to the new case, other than 503), how many were refused as busy (503
with Retry-After, which a web write that cannot get SQLite's write lock in time may answer), and
how many were lost: answered as made (302 to /cases/<id>/) but not in the database afterwards.
Targets (SQLite): p99 < 2 s, none failing, none lost.

The imported people stay (the ID numbers are of a region no other figure uses); this figure runs last.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

from django.conf import settings

from bench.core import Context, Row
from bench.figures.import_csv import write_csv
from bench.figures.mixed import lost_cases, work_dir
from bench.mix import make_plan
from bench.mixrun import Clients
from bench.mixstats import percentile, read_records
from bench.server import start_server

KEY = "8"
TITLE = "writes during a large import"
NEEDS_SERVER = True
FULL_ROWS = 100_000
MIN_ROWS = 5_000
REGION = "650103"  # ID numbers of a region no other figure (nor the demo) uses
BASE_S = 5.0
AFTER_S = 2.0
# Each connection reports once every INTERVAL_S (open loop): a report's latency counts from when it
# was due, so a writer held up for 10 s shows as every report due in those 10 s being late, not as
# the one report in flight on each connection.
INTERVAL_S = 0.5  # 8 reports a second in all: well within what the server makes (figure 4)
P99_LIMIT_MS = 2000.0
WRITERS_PROCESS = 0  # one load-generator process: its 4 connections


def rows_for(scale: float) -> int:
    return FULL_ROWS if scale >= 0.1 else max(MIN_ROWS, int(1_000_000 * scale))


def run(ctx: Context) -> list[Row]:
    folder = work_dir(ctx, "import-writes")
    count = rows_for(ctx.scale)
    csv_path = write_csv(folder / "persons.csv", count, ctx.seed + 8, REGION)
    plan = make_plan(ctx.seed, ["import"], 1.0, folder / "plan.json")
    server = start_server({}, trace_dir=folder / "trace")
    clients = Clients(folder / "plan.json", processes=1)
    records_path = folder / "records.csv"
    command = {
        "cmd": "run",
        "port": server.port,
        "mode": "mix",
        "slot": "import",
        "kinds": ["report"],
        "interval": INTERVAL_S,
    }
    env = {**os.environ, "IMPORT_MAX_BYTES": str(max(settings.IMPORT_MAX_BYTES, 2 << 30))}
    try:
        if not plan["signed_in"]:
            clients.command({"cmd": "login", "port": server.port})
        warm = {**command, "mode": "warm", "kinds": [], "seconds": 2.0, "max": 10**6, "interval": 0}
        clients.command({**warm, "out": str(folder / "warm.csv")})
        clients.command(
            {**command, "seconds": BASE_S, "round": 0, "max": 10**6, "out": str(folder / "before.csv")}
        )
        started = time.monotonic()
        log = (folder / "import.log").open("w", encoding="utf-8")
        importer = subprocess.Popen(  # noqa: S603 - our own command
            [
                sys.executable,
                "-m",
                "gridwork.cli",
                "import",
                "persons",
                str(csv_path),
                "--mode",
                "all_or_nothing",
            ],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        # One paced run while the import's process lives, and AFTER_S at least.
        clients.command(
            {
                **command,
                "seconds": AFTER_S,
                "until_pid": importer.pid,
                "round": 1,
                "max": 10**7,
                "out": str(records_path),
            }
        )
        importer.wait()
        import_seconds = time.monotonic() - started
        log.close()
        output = (folder / "import.log").read_text(encoding="utf-8")
    finally:
        clients.close()
        server.stop()
    before = read_records(folder / "before.csv")
    during = read_records(records_path)
    summary = [line for line in output.splitlines() if line.startswith("job ")][-1:] or [
        output.strip()[-200:]
    ]
    made, lost = lost_cases(before + during)
    ordered = sorted(r.ms for r in during)
    base = sorted(r.ms for r in before)
    busy = sum(1 for r in during if r.status == 503)
    failed = sum(1 for r in during if not r.ok and r.status != 503)
    p99 = percentile(ordered, 0.99)
    # The longest stretch in which no report was answered as made: how long writers were held up.
    done = sorted(r.t + r.ms / 1000 for r in during if r.ok)
    gap = max((b - a for a, b in zip(done, done[1:], strict=False)), default=0.0)
    errors = sorted({r.err for r in during if not r.ok and r.status != 503})[:3]
    return [
        Row(
            figure=f"{KEY}. {TITLE}",
            what=f"web case reports during a {count:,}-person CSV import (all or nothing), "
            f"{len(clients.processes) * 4} connections each due one every {INTERVAL_S:g} s, gunicorn x2",
            value=round(p99, 1),
            unit="ms p99",
            reference=round(percentile(base, 0.99), 1),
            ratio=None,
            target=f"p99 < {P99_LIMIT_MS:g} ms, none failing, none lost",
            passed=p99 < P99_LIMIT_MS and failed == 0 and lost == 0 and importer.returncode == 0,
            note=f"{len(during):,} reports during the import ({import_seconds:.1f} s, "
            f"exit {importer.returncode}: "
            f"{summary[0]}); max {ordered[-1] if ordered else 0:.0f} ms; longest stretch without a report "
            f"made {gap:.1f} s; failed {failed}"
            + (f" ({'; '.join(errors)})" if errors else "")
            + f"; busy (503) {busy}; {made:,} answered as made, {lost} lost; reference: p99 of "
            f"{len(before):,} reports in the {BASE_S:g} s before the import",
        )
    ]

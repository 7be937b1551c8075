"""The benchmark in bench/ at a tiny scale on the test database, so it cannot rot.

In-process figures only (no gunicorn), and no timing thresholds: the table must have every
figure and the counts must be exact; every kind of request of the mixed workload, for every one
of its users, must get the answer the load generator expects; the numbers made from its records
and the servers' traces must add up.
"""

from __future__ import annotations

from typing import Any

from bench.core import Context
from bench.figures import FIGURES
from bench.mix_check import check_every_kind
from bench.mix_client import READ_KINDS
from bench.mixstats import Record, by_kind, kinds_table, percentile
from bench.runner import run_figures
from bench.stalls import analyze, report
from bench.table import details, markdown


def test_the_benchmark_runs_at_a_tiny_scale(db: Any, settings: Any) -> None:
    settings.ROOT_URLCONF = "bench.urls"
    ctx = Context(scale=0.0005, points=2000, repeat=2, database="test", with_server=False, say=lambda m: None)
    rows = run_figures(ctx)
    in_process = {f.KEY for f in FIGURES if not f.NEEDS_SERVER}
    assert {row.figure.split(".")[0] for row in rows} == in_process
    assert not [row.what for row in rows if row.what.startswith("error")]
    for row in rows:
        assert row.value >= 0 and row.database == "test" and row.cores >= 1
        if row.reference is not None:
            assert row.reference > 0 and row.ratio is not None and row.ratio > 0
    home = [row for row in rows if row.figure.startswith("3.")]
    assert len(home) == 7 and all(row.note.startswith("counts exact: yes;") for row in home)
    lists = [row for row in rows if row.figure.startswith("5.")]
    assert len(lists) == 4 and all("queries per request" in row.note for row in lists)
    table = markdown([row.as_dict() for row in rows])
    assert table.count("\n") == len(rows) + 2 and "point-in-grid" in table

    # The mixed workload's requests, in-process, on the district just built.
    sent, problems = check_every_kind(seed=1)
    assert problems == []
    acted = {kind for kind in sent if kind.startswith("act ")}
    assert sum(sent.values()) > 64 * 5 and {"report", "api report", "edit person"} <= set(sent)
    assert {"act accept", "act dispatch", "act handle", "act resolve", "act verify_pass"} <= acted, sent


def _record(kind: str, ms: float, t: float, rid: str, ok: bool = True) -> Record:
    status, err = (200, "") if ok else (500, "status 500")
    return Record("s", "mix", 0, kind, status, ok, err, t, ms, 100, rid, 0, "")


def test_the_mixed_workload_numbers_add_up() -> None:
    records = [_record("home", float(ms), 1000 + ms / 10, f"0-{ms}") for ms in range(1, 101)]
    records += [_record("report", 50.0, 1001.0, "0-x", ok=False)]
    stats = by_kind(records, seconds=10.0)
    assert list(stats) == ["home", "report", "(all)"]
    home = stats["home"]
    assert home.count == 100 and home.per_second == 10.0 and home.p50 == 50 and home.p99 == 99
    assert home.passed and not home.write and stats["report"].write and stats["report"].errors == 1
    assert percentile([1.0, 2.0, 3.0], 0.5) == 2.0
    assert "| home | 100 |" in kinds_table(stats, "t")
    # The slowest request coincides with a full collection in its worker.
    servers = {
        r.rid: {"id": r.rid, "t": r.t, "ms": r.ms * 0.9, "pid": 1, "path": "/", "gc_ms": 0.0, "gc2": 0}
        for r in records
    }
    servers["0-100"].update(gc_ms=80.0, gc2=1)
    found = analyze(records, servers, [{"t": 1010.0, "gen": 2, "ms": 80.0, "pid": 1}], [])
    assert found.slow >= 1 and found.worker_full_gcs == 1
    assert found.cause_share["full GC"][0] > found.cause_share["full GC"][1]
    assert "full GC" in report(found, "test")
    assert {"home", "queue", "api person"} <= READ_KINDS
    data = {"sides": {"v": {k: s.as_dict() for k, s in stats.items()}}, "main": "v"}
    assert "| home |" in details([{"database": "test", "data": data, "detail": ""}])

"""The benchmark in bench/ at a tiny scale on the test database, so it cannot rot.

In-process figures only (no gunicorn), and no timing thresholds: the table must have every
figure and the counts must be exact.
"""

from __future__ import annotations

from typing import Any

from bench.core import Context
from bench.figures import FIGURES
from bench.runner import run_figures
from bench.table import markdown


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
    assert len(home) == 6 and all(row.note.startswith("counts exact: yes;") for row in home)
    table = markdown([row.as_dict() for row in rows])
    assert table.count("\n") == len(rows) + 2 and "point-in-grid" in table

"""Runs the figures on the database Django is configured for (one process per database)."""

from __future__ import annotations

import traceback

from bench.core import Context, Row
from bench.figures import FIGURES


def run_figures(ctx: Context, only: set[str] | None = None) -> list[Row]:
    """Every figure in order; a figure that breaks gives a failed row instead of ending the run."""
    rows: list[Row] = []
    for figure in FIGURES:
        if only and figure.KEY not in only and figure.KEY != "6":
            continue  # the build (6) always runs: the others read what it made
        if figure.NEEDS_SERVER and not ctx.with_server:
            continue
        ctx.say(f"figure {figure.KEY}: {figure.TITLE} ({ctx.database})")
        try:
            made = figure.run(ctx)
        except Exception as exc:  # noqa: BLE001 - reported in the table, the run goes on
            traceback.print_exc()
            made = [
                Row(
                    figure=f"{figure.KEY}. {figure.TITLE}",
                    what=f"error: {type(exc).__name__}: {exc}"[:200],
                    value=0,
                    unit="",
                    reference=None,
                    ratio=None,
                    target="",
                    passed=False,
                )
            ]
        for row in made:
            row.database = ctx.database
            ctx.say(
                f"  {row.what}: {row.value} {row.unit} (ref {row.reference}, ratio {row.ratio}) "
                f"{'pass' if row.passed else 'FAIL'}"
            )
        rows.extend(made)
    return rows

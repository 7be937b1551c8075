"""Figure 9: what makes the whole server stall for a moment, with evidence (bench/stalls.py).

First the traces of figure 7's mix (its first variant): what coincides with its slowest requests.
Then the same mix on server variants that each remove one suspect, in turns with the server as
configured (bench/gunicorn_conf.py): the garbage collector frozen after start-up (the loaded code
and settings no longer walked by every full collection), and (SQLite) WAL checkpoints moved off the
request path (wal_autocheckpoint=0 in the server, a PASSIVE checkpoint every second from a process
beside it, bench/checkpointer.py). Informational rows: what each suspect's removal does to the p99.
"""

from __future__ import annotations

from bench.core import Context, Row
from bench.figures import mixed
from bench.mixstats import by_kind, read_traces
from bench.stalls import Findings, analyze, report

KEY = "9"
TITLE = "stalls"
NEEDS_SERVER = True
BASELINE = "as configured"
EXPERIMENTS: list[tuple[str, dict[str, str], bool]] = [  # (label, server environment, SQLite only)
    (BASELINE, {}, False),
    ("GC frozen after start", {"BENCH_GC": "freeze"}, False),
    (
        "GC frozen after 200 requests, young threshold 50,000",
        {"BENCH_GC": "freeze_after:200,threshold:50000/20/100"},
        False,
    ),
    (
        "checkpoints off the request path",
        {"BENCH_WAL_AUTOCHECKPOINT": "0", "BENCH_CHECKPOINT_EVERY": "1"},
        True,
    ),
]


def _changes(env: dict[str, str], base: dict[str, str]) -> str:
    return ", ".join(f"{k}={v}" for k, v in env.items() if k not in base) or "no change"


def _findings(result: dict, index: int) -> Findings:
    side = result["sides"][index]
    servers, pauses, _checkpoints = read_traces(result["traces"][index])
    records = [r for r in result["records"] if r.slot == side.slot]
    roles = [user["role"] for user in result["plan"]["users"]]
    return analyze(records, servers, pauses, side.client_gc, roles)


def _summary(f: Findings) -> str:
    causes = ", ".join(f"{cause} {n}" for cause, n in f.stall_causes().most_common()) or "none"
    shares = "; ".join(
        f"{cause} {slow * 100:.0f} % (all {every * 100:.1f} %)"
        for cause, (slow, every) in f.cause_share.items()
        if slow
    )
    return (
        f"slowest 1 % >= {f.slow_threshold_ms:.0f} ms: median {f.slow_wait_ms:.0f} ms waiting for a worker, "
        f"{f.slow_worker_ms:.0f} ms in it; {f.in_stalls} in {len(f.stalls)} stall windows ({causes}); "
        f"in the slowest 1 % in the workers (>= {f.worker_p99_ms:.0f} ms): {shares or 'no cause seen'}; "
        f"workers' full GCs {f.worker_full_gcs} (median {f.worker_full_gc_median_ms:.0f} ms), "
        f"checkpointing requests {f.checkpoints}"
    )


def run(ctx: Context) -> list[Row]:
    rows: list[Row] = []
    details: list[str] = []
    earlier = ctx.built.get("mixed")
    if earlier:
        found = _findings(earlier, 0)
        label = earlier["sides"][0].label
        details.append(report(found, f"figure 7, {label} ({ctx.database})"))
        rows.append(
            Row(
                figure=f"{KEY}. {TITLE}",
                what=f"slowest 1 % of figure 7's mix ({label}): what coincides",
                value=round(found.slow_threshold_ms, 1),
                unit="ms",
                reference=None,
                ratio=None,
                target="(evidence)",
                passed=True,
                note=_summary(found),
            )
        )
    base_env = dict(mixed.variants(ctx.database)[0][0][1])
    chosen = [
        (label, {**base_env, **env})
        for label, env, sqlite_only in EXPERIMENTS
        if ctx.database == "sqlite" or not sqlite_only
    ]
    result = mixed.measure(ctx, "stalls", chosen, ctx.mix_seconds / 2)
    sides = result["sides"][: len(chosen)]
    stats = {
        side.label: by_kind([r for r in result["records"] if r.slot == side.slot], side.seconds)
        for side in sides
    }
    base = stats[BASELINE]["(all)"]
    for index, side in enumerate(sides):
        found = _findings(result, index)
        details.append(report(found, f"{side.label} ({ctx.database})"))
        ours = stats[side.label]
        worst = max((s for k, s in ours.items() if k != "(all)"), key=lambda s: s.p99)
        rows.append(
            Row(
                figure=f"{KEY}. {TITLE}",
                what=f"mix p99, {side.label} ({_changes(chosen[index][1], base_env)})",
                value=round(ours["(all)"].p99, 1),
                unit="ms p99",
                reference=round(base.p99, 1),
                ratio=round(base.p99 / ours["(all)"].p99, 2) if ours["(all)"].p99 else None,
                target="(experiment; ratio > 1: lower p99 than as configured)",
                passed=True,
                note=f"{ours['(all)'].per_second:.1f} req/s (as configured {base.per_second:.1f}); "
                f"worst kind "
                f"{worst.kind} p99 {worst.p99:.0f} ms; {_summary(found)}",
            )
        )
    details.append("Stall experiments' servers: " + mixed.describe_servers(chosen, result))
    if rows:
        rows[0].detail = "\n".join(details)
    return rows

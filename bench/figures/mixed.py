"""Figure 7: the mixed workload, performance as users meet it (issue 11).

64 users of the demo's roles (bench/mix.py), each signed in with its own session, walk a seeded
random mix over 16 connections from 4 load-generator processes of their own (bench/mix_client.py):
about 85 % reads (home, area pages, people lists of their grids and communities with pages and
searches, people, households, case queues with tabs, statuses, categories and pages, cases, API
reads) and 15 % writes (case reports by the web form and the API, actions on cases in the right
state by the role that takes them, person edits by the API), every request naming its own object,
page or filter. The server is gunicorn, 2 sync workers, on 127.0.0.1.

Each server variant (VARIANTS: an environment for the server, e.g. the cache) runs the same seeded
mix; a bare signed-in view (bench/urls.py bare_view: the session and user read, one row by
primary key, a template of the mix's average page size) is the reference. The variants and the
bare view take turns: ROUNDS rounds of one slice each, the order rotated every round. Reported
per kind of request: count, throughput, p50/p95/p99 and errors (any answer other than the one the
kind expects), the whole mix's throughput against the bare view's, and each variant's gain over
the one without a cache. Targets (SQLite): mix throughput >= 0.3 of the bare view's, p99 of every
read kind < 100 ms and of every write kind < 200 ms, no errors.
"""

from __future__ import annotations

import importlib.util
import shutil
import socket
import statistics
from pathlib import Path
from typing import Any

from bench.core import Context, Row
from bench.mix import CONNECTIONS, USERS, make_plan
from bench.mixrun import Clients, Side, run_turns
from bench.mixstats import KindStats, by_kind, kinds_table, read_records
from bench.server import Server, start_server

KEY = "7"
TITLE = "mixed workload"
NEEDS_SERVER = True
TARGET = 0.3
ROUNDS = 6
MAX_REQUESTS = 120_000  # per side, in all its slices
WARM_S = 3.0
NO_CACHE = "no cache"
# Server variants, each an environment for the server; the first is the one held to the targets.
# "{redis_db}" is a Redis database of its own per run (flushed first), so no run reads another's keys.
VARIANTS: list[tuple[str, dict[str, str]]] = [
    ("locmem cache", {"CACHE_URL": "locmem://"}),
    (NO_CACHE, {"CACHE_URL": "dummy://"}),
    ("redis cache", {"CACHE_URL": "redis://127.0.0.1:6379/{redis_db}"}),
]
REDIS_DB = {"sqlite": 11, "postgresql": 12, "test": 13}


def _redis_ready(db: int) -> str:
    """'' when Redis answers and its client library is installed (the database flushed), else why not."""
    if importlib.util.find_spec("redis") is None:
        return "the redis package is not installed"
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1) as s:
            s.sendall(f"*2\r\n$6\r\nSELECT\r\n${len(str(db))}\r\n{db}\r\n*1\r\n$7\r\nFLUSHDB\r\n".encode())
            answer = s.recv(100)
    except OSError:
        return "no Redis on 127.0.0.1:6379"
    return "" if answer.startswith(b"+OK\r\n+OK") else f"Redis answered {answer[:40]!r}"


def variants(database: str) -> tuple[list[tuple[str, dict[str, str]]], list[str]]:
    """The variants that can run here, and notes on those left out."""
    chosen, notes = [], []
    for label, env in VARIANTS:
        if any("redis://" in value for value in env.values()):
            db = REDIS_DB.get(database, 14)
            why = _redis_ready(db)
            if why:
                notes.append(f"{label} left out: {why}")
                continue
            env = {k: v.replace("{redis_db}", str(db)) for k, v in env.items()}
        chosen.append((label, env))
    return chosen, notes


def work_dir(ctx: Context, name: str) -> Path:
    folder = ctx.work_dir / name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def measure(
    ctx: Context, name: str, server_variants: list[tuple[str, dict[str, str]]], seconds: float
) -> dict[str, Any]:
    """The mix on every variant and the bare view, in turns; records, traces and sides in a dict."""
    folder = work_dir(ctx, name)
    slots = [f"{name}:{label}" for label, _env in server_variants]
    plan = make_plan(ctx.seed, slots, seconds, folder / "plan.json")
    servers: list[Server] = []
    clients = None
    records_path = folder / "records.csv"
    try:
        for index, (_label, env) in enumerate(server_variants):
            servers.append(start_server(env, trace_dir=folder / f"trace-{index}"))
        # The bare view on a server of its own (the first variant's environment): no side's
        # workers serve more requests, and grow more, than another's.
        bare_server = start_server(server_variants[0][1], trace_dir=folder / "trace-bare")
        servers.append(bare_server)
        clients = Clients(folder / "plan.json")
        if not plan["signed_in"]:
            for server in servers:
                failed = [
                    n for a in clients.command({"cmd": "login", "port": server.port}) for n in a["failed"]
                ]
                if failed:
                    raise RuntimeError(f"sign-in failed for {len(failed)} users, e.g. {failed[0]}")
        warm = folder / "warm.csv"
        for server in servers[:-1]:
            clients.command(
                {
                    "cmd": "run",
                    "port": server.port,
                    "seconds": WARM_S,
                    "mode": "warm",
                    "max": 10**6,
                    "out": str(warm),
                }
            )
        sizes = [r.bytes for r in read_records(warm) if r.ok]
        size = round(statistics.fmean(sizes)) if sizes else 10_000
        sides = [
            Side(label, "mix", server, slot)
            for (label, _), server, slot in zip(server_variants, servers[:-1], slots, strict=True)
        ]
        sides.append(Side("bare", "bare", bare_server, f"{name}:bare", {"size": size}))
        clients.command(
            {
                "cmd": "run",
                "port": bare_server.port,
                "seconds": 1.0,
                "mode": "bare",
                "size": size,
                "max": 10**6,
                "out": str(warm),
            }
        )
        per_connection = max(1, MAX_REQUESTS // CONNECTIONS // ROUNDS)
        run_turns(clients, sides, ROUNDS, seconds / ROUNDS, records_path, per_connection)
        infos = [server.info() for server in servers[:-1]]
    finally:
        if clients is not None:
            clients.close()
        for server in servers:
            server.stop()
    records = read_records(records_path)
    return {
        "folder": folder,
        "plan": plan,
        "sides": sides,
        "records": records,
        "size": size,
        "servers": infos,
        "traces": [folder / f"trace-{index}" for index in range(len(server_variants))],
    }


def lost_cases(records: list[Any]) -> tuple[int, int]:
    """(reports answered as made, of those not in the database afterwards)."""
    from gridwork.cases.models import Case

    made = {int(r.created) for r in records if r.ok and r.created.isdigit()}
    found = set()
    ids = sorted(made)
    for start in range(0, len(ids), 500):
        found.update(Case.objects.filter(pk__in=ids[start : start + 500]).values_list("pk", flat=True))
    return len(made), len(made - found)


def describe_servers(chosen: list[tuple[str, dict[str, str]]], result: dict[str, Any]) -> str:
    parts = []
    for (label, env), info in zip(chosen, result["servers"], strict=True):
        settings_ = ", ".join(f"{k}={v}" for k, v in env.items()) or "no change"
        parts.append(
            f"{label} ({settings_}): cache {info.get('cache', '?').rsplit('.', 1)[-1]}, "
            f"gc threshold {tuple(info.get('gc_threshold', ()))}, {info.get('gc_frozen', '?')} objects frozen"
        )
    return "; ".join(parts) + ".\n"


def _cpu(side: Side) -> str:
    seconds = side.seconds or 1.0
    client, server = side.client_cpu / seconds, side.server_cpu / seconds
    return f"client CPU {client:.2f} cores, server workers {server:.2f} cores"


def _kind_note(s: KindStats) -> str:
    errors = (
        f", errors {s.errors} ({'; '.join(f'{k}: {n}' for k, n in s.error_kinds.items())})"
        if s.errors
        else ""
    )
    return f"{s.count:,} requests, {s.per_second:.1f}/s, p50 {s.p50:.1f} ms, p95 {s.p95:.1f} ms{errors}"


def run(ctx: Context) -> list[Row]:
    chosen, notes = variants(ctx.database)
    result = measure(ctx, "mixed", chosen, ctx.mix_seconds)
    ctx.built["mixed"] = result
    sides: list[Side] = result["sides"]
    records = result["records"]
    stats = {side.label: by_kind([r for r in records if r.slot == side.slot], side.seconds) for side in sides}
    made, lost = lost_cases(records)
    first = sides[0]
    main, bare_stats = stats[first.label], stats["bare"]["(all)"]
    ratio = main["(all)"].per_second / bare_stats.per_second if bare_stats.per_second else 0.0
    kinds = {k: s for k, s in main.items() if k != "(all)"}
    failing = [k for k, s in kinds.items() if not s.passed]
    detail = [
        f"Mixed workload ({ctx.database}): {USERS} users, {CONNECTIONS} connections, gunicorn x2; "
        f"{len(chosen)} server variants and the bare view in {ROUNDS} turns of "
        f"{ctx.mix_seconds / ROUNDS:g} s each; bare page {result['size']:,} B (the mix's average answer).\n"
    ]
    detail.append("Server variants, as each server answered at the end: " + describe_servers(chosen, result))
    for side in sides:
        title = f"**{side.label}** ({ctx.database}): {side.seconds:.1f} s measured, {_cpu(side)}"
        detail.append(kinds_table(stats[side.label], title))
    whole = main["(all)"]
    rows = [
        Row(
            figure=f"{KEY}. {TITLE}",
            what=f"whole mix, {first.label}: {USERS} users, {CONNECTIONS} connections, gunicorn x2, "
            f"{ctx.mix_seconds:g} s in {ROUNDS} turns with the bare signed-in view",
            value=round(main["(all)"].per_second, 1),
            unit="req/s",
            reference=round(bare_stats.per_second, 1),
            ratio=round(ratio, 2),
            target=f">= {TARGET}; every read kind p99 < 100 ms, write kind < 200 ms; no errors, none lost",
            passed=ratio >= TARGET and not failing and lost == 0 and main["(all)"].errors == 0,
            note=f"{whole.count:,} requests, p50 {whole.p50:.1f} / p99 {whole.p99:.1f} ms "
            f"(bare p99 {bare_stats.p99:.1f} ms); {_cpu(first)}; {made:,} reports answered as made, "
            f"{lost} lost"
            + (f"; over target: {', '.join(failing)}" if failing else "")
            + ("; " + "; ".join(notes) if notes else ""),
            detail="\n".join(detail),
            data={
                "sides": {label: {k: s.as_dict() for k, s in v.items()} for label, v in stats.items()},
                "bare_size": result["size"],
                "main": first.label,
            },
        )
    ]
    for kind, s in kinds.items():
        rows.append(
            Row(
                figure=f"{KEY}. {TITLE}",
                what=f"{kind} ({'write' if s.write else 'read'}), {first.label}",
                value=round(s.p99, 1),
                unit="ms p99",
                reference=None,
                ratio=None,
                target=f"p99 < {s.limit_ms:g} ms, no errors",
                passed=s.passed,
                note=_kind_note(s),
            )
        )
    rows.extend(cache_rows(stats, [label for label, _env in chosen]))
    return rows


def cache_rows(stats: dict[str, dict[str, KindStats]], labels: list[str]) -> list[Row]:
    """Each variant's gain over the one without a cache: throughput, and p99 per kind."""
    if NO_CACHE not in stats:
        return []
    base = stats[NO_CACHE]
    rows = []
    for label in labels:
        if label == NO_CACHE:
            continue
        ours = stats[label]
        gain = ours["(all)"].per_second / base["(all)"].per_second - 1 if base["(all)"].per_second else 0.0
        changes = []
        for kind, s in ours.items():
            if kind != "(all)" and kind in base:
                changes.append(f"{kind} {base[kind].p99:.0f}→{s.p99:.0f}")
        rows.append(
            Row(
                figure=f"{KEY}. {TITLE}",
                what=f"gain of {label} over {NO_CACHE} (same mix, in turns)",
                value=round(gain * 100, 1),
                unit="% req/s",
                reference=round(base["(all)"].per_second, 1),
                ratio=round(1 + gain, 2),
                target="(what the cache earns)",
                passed=True,
                note=f"p99 ms, {NO_CACHE}→{label}: " + "; ".join(changes),
            )
        )
    return rows

"""What coincides with the slowest requests of the mixed workload (figure 9).

The client's records (start, latency, kind, request id) are joined with the workers' traces
(bench/gunicorn_conf.py: time in the worker, garbage collection, the wait for the write lock, commits,
SQLite's WAL state before and after) by request id. Then:

- the slowest 1 % of requests as the users meet them (client latency), how much of it was spent
  waiting for a worker (latency minus time in the worker) and how much in the worker;
- stall windows: short spans holding slow requests of several kinds at once, and what the workers,
  the client and the checkpointer were doing then: a request in a worker that took long, and why
  (a full garbage collection, a commit that ran a WAL checkpoint, a wait for the write lock),
  or nothing long in the workers (the client, or the machine);
- over the slowest 1 % of requests in the workers, how often each cause is present, against how
  often it is present in all requests.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from bench.mixstats import Record, percentile

WINDOW_S = 0.25
MIN_KINDS = 3  # slow requests of at least this many kinds in one window make a stall
LONG_IN_WORKER_MS = 50.0
GC_CAUSE_MS = 10.0
LOCK_CAUSE_MS = 10.0
COMMIT_CAUSE_MS = 10.0


@dataclass
class Joined:
    record: Record
    server: dict[str, Any] | None

    @property
    def start(self) -> float:
        return self.record.t

    @property
    def end(self) -> float:
        return self.record.t + self.record.ms / 1000


def checkpointed(server: dict[str, Any]) -> bool:
    """The WAL was (partly) copied into the database, or restarted, during the request."""
    return bool(server.get("restart")) or server.get("bf1", 0) != server.get("bf0", 0)


def causes(server: dict[str, Any]) -> list[str]:
    found = []
    if server.get("gc2") and server.get("gc_ms", 0) >= GC_CAUSE_MS:
        found.append("full GC")
    elif server.get("gc_ms", 0) >= GC_CAUSE_MS:
        found.append("young GC")
    if server.get("lock_ms", 0) >= LOCK_CAUSE_MS:
        found.append("write lock wait")
    if server.get("commit_ms", 0) >= COMMIT_CAUSE_MS:
        # A commit that took long while the WAL was checkpointed: most likely it ran the
        # checkpoint itself (wal_autocheckpoint runs it in the commit that fills the WAL).
        found.append("checkpoint in commit" if checkpointed(server) else "slow commit")
    return found


@dataclass
class Stall:
    start: float
    kinds: list[str]
    slow: int
    cause: str
    evidence: str


@dataclass
class Findings:
    requests: int
    slow_threshold_ms: float
    slow: int
    slow_wait_ms: float  # median, of the slowest 1 %: waiting for a worker
    slow_worker_ms: float  # median, of the slowest 1 %: in the worker
    in_stalls: int  # of the slowest 1 %, how many fell in a stall window
    stalls: list[Stall] = field(default_factory=list)
    cause_share: dict[str, tuple[float, float]] = field(default_factory=dict)  # slowest 1 % vs all
    worker_p99_ms: float = 0.0
    joined: int = 0
    client_full_gcs: int = 0
    client_gc_max_ms: float = 0.0
    worker_full_gcs: int = 0
    worker_full_gc_median_ms: float = 0.0
    checkpoints: int = 0
    # The slowest 1 % in the workers, by kind of request and role of its user.
    slow_in_worker_by: Counter = field(default_factory=Counter)

    def stall_causes(self) -> Counter:
        return Counter(s.cause for s in self.stalls)


def _worker_requests_in(span: tuple[float, float], servers: list[dict[str, Any]]) -> list[dict[str, Any]]:
    lo, hi = span
    return [s for s in servers if s["t"] < hi and s["t"] + s["ms"] / 1000 > lo]


def analyze(
    records: list[Record],
    servers: dict[str, dict[str, Any]],
    worker_gc: list[dict[str, Any]],
    client_gc: list[dict[str, Any]],
    roles: list[str] | None = None,
) -> Findings:
    joined = [Joined(r, servers.get(r.rid)) for r in records if r.mode == "mix"]
    by_rid = {j.record.rid: j.record for j in joined}

    def who(server: dict[str, Any]) -> str:
        record = by_rid.get(server.get("id", ""))
        if record is None:
            return "?"
        role = roles[record.user] if roles and 0 <= record.user < len(roles) else ""
        return f"{record.kind} ({role})" if role else record.kind

    latencies = sorted(j.record.ms for j in joined)
    threshold = percentile(latencies, 0.99)
    slow = [j for j in joined if j.record.ms >= threshold]
    with_server = [j for j in slow if j.server]
    waits = [j.record.ms - j.server["ms"] for j in with_server]  # type: ignore[index]
    in_worker = [j.server["ms"] for j in with_server]  # type: ignore[index]
    # The workers' side of the mix's requests only (not the warm-up before the timed slices).
    all_servers = sorted((j.server for j in joined if j.server), key=lambda s: s["t"])
    # Stall windows: slow requests of MIN_KINDS kinds or more starting within WINDOW_S.
    stalls: list[Stall] = []
    ordered = sorted(slow, key=lambda j: j.start)
    used: set[int] = set()
    for i, first in enumerate(ordered):
        if i in used:
            continue
        group = [k for k in range(i, len(ordered)) if ordered[k].start - first.start <= WINDOW_S]
        kinds = sorted({ordered[k].record.kind for k in group})
        if len(kinds) < MIN_KINDS:
            continue
        used.update(group)
        span = (first.start, max(ordered[k].end for k in group))
        stalls.append(_explain(span, kinds, len(group), all_servers, client_gc, who))
    in_stalls = len(used)
    # How often each cause is present: in the slowest 1 % of requests in the workers, and in all.
    server_ms = sorted(s["ms"] for s in all_servers)
    worker_p99 = percentile(server_ms, 0.99)
    slow_servers = [s for s in all_servers if s["ms"] >= worker_p99]
    share: dict[str, tuple[float, float]] = {}
    labels = ["full GC", "young GC", "write lock wait", "checkpoint in commit", "slow commit"]
    for label in labels:
        in_slow = sum(1 for s in slow_servers if label in causes(s)) / max(1, len(slow_servers))
        in_all = sum(1 for s in all_servers if label in causes(s)) / max(1, len(all_servers))
        share[label] = (in_slow, in_all)
    full_gcs = [g for g in worker_gc if g.get("gen") == 2]
    return Findings(
        requests=len(joined),
        slow_threshold_ms=threshold,
        slow=len(slow),
        slow_wait_ms=statistics.median(waits) if waits else float("nan"),
        slow_worker_ms=statistics.median(in_worker) if in_worker else float("nan"),
        in_stalls=in_stalls,
        stalls=stalls,
        cause_share=share,
        worker_p99_ms=worker_p99,
        joined=sum(1 for j in joined if j.server),
        client_full_gcs=sum(1 for g in client_gc if g.get("gen") == 2),
        client_gc_max_ms=max((g["ms"] for g in client_gc), default=0.0),
        worker_full_gcs=len(full_gcs),
        worker_full_gc_median_ms=statistics.median(g["ms"] for g in full_gcs) if full_gcs else 0.0,
        checkpoints=sum(1 for s in all_servers if checkpointed(s)),
        slow_in_worker_by=Counter(who(s) for s in slow_servers),
    )


def _explain(
    span: tuple[float, float],
    kinds: list[str],
    slow: int,
    servers: list[dict[str, Any]],
    client_gc: list[dict[str, Any]],
    who: Any = lambda server: "?",
) -> Stall:
    """The likeliest cause of one stall: the longest request in a worker over the span and what it
    spent its time on, else a pause of the client, else nothing seen (the machine)."""
    busy = _worker_requests_in(span, servers)
    longest = max(busy, key=lambda s: s["ms"], default=None)
    client = [g for g in client_gc if g["t"] < span[1] and g["t"] + g["ms"] / 1000 > span[0]]
    if longest is not None and longest["ms"] >= LONG_IN_WORKER_MS:
        found = causes(longest)
        parts = (
            f"pid {longest['pid']} {who(longest)} {longest['path'][:80]} "
            f"{longest['ms']:.0f} ms in the worker "
            f"(gc {longest.get('gc_ms', 0):.0f} ms{' full' if longest.get('gc2') else ''}, lock "
            f"{longest.get('lock_ms', 0):.0f} ms, commit {longest.get('commit_ms', 0):.0f} ms, "
            f"{longest.get('q', 0)} queries {longest.get('db_ms', 0):.0f} ms)"
        )
        return Stall(span[0], kinds, slow, found[0] if found else "long request", parts)
    if client:
        worst = max(client, key=lambda g: g["ms"])
        return Stall(span[0], kinds, slow, "client GC", f"client gen {worst['gen']} GC {worst['ms']:.0f} ms")
    most = f"longest in a worker {longest['ms']:.0f} ms" if longest else "no request in the workers"
    return Stall(span[0], kinds, slow, "nothing in the workers", most)


def report(findings: Findings, label: str) -> str:
    """Markdown: the evidence, for the results file."""
    f = findings
    lines = [
        f"**Stalls, {label}**: {f.requests:,} mix requests ({f.joined:,} joined with the workers' traces); "
        f"the slowest 1 % ({f.slow}) took >= {f.slow_threshold_ms:.0f} ms as the client met them, of which "
        f"median {f.slow_wait_ms:.0f} ms waiting for a worker and {f.slow_worker_ms:.0f} ms in it. "
        f"{f.in_stalls} of them fell in {len(f.stalls)} stall windows (slow requests of >= {MIN_KINDS} kinds "
        f"within {WINDOW_S * 1000:.0f} ms). Workers: {f.worker_full_gcs} full collections (median "
        f"{f.worker_full_gc_median_ms:.0f} ms), {f.checkpoints} requests during which the WAL was "
        "checkpointed; "
        f"client: {f.client_full_gcs} full collections, longest GC pause {f.client_gc_max_ms:.0f} ms.\n",
        "| cause | in the slowest 1 % in the workers | in all requests |",
        "|---|---|---|",
    ]
    for cause, (slow, every) in f.cause_share.items():
        lines.append(f"| {cause} | {slow * 100:.1f} % | {every * 100:.2f} % |")
    lines.append("")
    slowest = ", ".join(f"{kind} {n}" for kind, n in f.slow_in_worker_by.most_common(8))
    lines.append(
        f"The slowest 1 % in the workers (>= {f.worker_p99_ms:.0f} ms), by kind (role): {slowest}.\n"
    )
    lines.append("| stall at | slow requests | kinds | likeliest cause | evidence |")
    lines.append("|---|---|---|---|---|")
    for stall in f.stalls[:25]:
        lines.append(
            f"| {stall.start:.2f} | {stall.slow} | {', '.join(stall.kinds)} | {stall.cause} | "
            f"{stall.evidence} |"
        )
    return "\n".join(lines) + "\n"

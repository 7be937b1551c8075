"""A bounded load generator against gunicorn on 127.0.0.1 (figure 4).

8 threads, each with its own HTTP connection, request for a fixed duration (and at most MAX_REQUESTS
in all); the server is started and stopped here, bound to loopback only. Ours and the bare
endpoint take turns in SLICES slices each, so a machine that slows down or speeds up during the
run weighs on both alike.
"""

from __future__ import annotations

import http.client
import random
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field

from bench.core import Context, Row, at_least
from bench.server import WORKERS, start_server
from gridwork.accounts import services as accounts
from gridwork.accounts.models import Role
from gridwork.areas.models import Level
from gridwork.cases.models import Category
from gridwork.core.scoping import code_range_q
from gridwork.core.system import SYSTEM
from gridwork.registry.models import Building, Person

CONNECTIONS = 8
DURATION_S = 10.0  # for each side, over all its slices
SLICES = 5
MAX_REQUESTS = 200_000


@dataclass
class Load:
    """What to send: paths (one picked at random per request), headers, method and body."""

    paths: list[str]
    headers: dict[str, str]
    method: str = "GET"
    body: Callable[[random.Random], str] | None = None
    ok: int = 200


@dataclass
class Measured:
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    errors: int = 0

    @property
    def per_second(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    @property
    def p99_ms(self) -> float:
        flat = sorted(self.latencies)
        return flat[int(len(flat) * 0.99) - 1] * 1000 if flat else float("inf")


def _compare(port: int, ours: Load, bare: Load) -> tuple[Measured, Measured]:
    """Ours and bare in turns, SLICES slices of DURATION_S / SLICES each."""
    measured = (Measured(), Measured())
    for index in range(2 * SLICES):
        side = index % 2
        _load(port, (ours, bare)[side], DURATION_S / SLICES, measured[side])
    return measured


def _load(port: int, load: Load, duration: float, into: Measured) -> None:
    """Requests for `duration` seconds, their latencies and errors added to `into`."""
    paths, headers, method, body, ok = load.paths, load.headers, load.method, load.body, load.ok
    latencies: list[list[float]] = [[] for _ in range(CONNECTIONS)]
    errors = [0] * CONNECTIONS
    stop_at = time.monotonic() + duration
    per_thread = MAX_REQUESTS // CONNECTIONS // SLICES

    def hammer(i: int) -> None:
        rng = random.Random(i)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        while time.monotonic() < stop_at and len(latencies[i]) < per_thread:
            started = time.perf_counter()
            conn.request(method, rng.choice(paths), body=body(rng) if body else None, headers=headers)
            response = conn.getresponse()
            response.read()
            latencies[i].append(time.perf_counter() - started)
            if response.status != ok:
                errors[i] += 1
        conn.close()

    started = time.monotonic()
    threads = [threading.Thread(target=hammer, args=(i,)) for i in range(CONNECTIONS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    into.seconds += time.monotonic() - started
    into.latencies.extend(x for part in latencies for x in part)
    into.errors += sum(errors)


def measure_api(
    ctx: Context, key: str, title: str, target: float, p99_limit_ms: float, write_target: float
) -> list[Row]:
    from bench.pages import sample_areas

    street = sample_areas()[Level.STREET]
    user = accounts.create_user(SYSTEM, f"bench_api_{time.time_ns()}", "x", check_password=False)
    accounts.grant_role(SYSTEM, user, Role.STREET_STAFF, street.code)
    token = accounts.issue_token(SYSTEM, user, "bench", days=1)
    in_street = code_range_q("grid__code", street.code)
    ids = list(Person.objects.filter(in_street).values_list("pk", flat=True)[:2000])
    buildings = list(Building.objects.filter(in_street).values_list("pk", flat=True)[:2000])
    category = Category.objects.active().leaves().order_by("code").values_list("code", flat=True).first()
    server = start_server()
    port = server.port
    try:
        ours_paths = [f"/api/v1/persons/{pk}" for pk in ids]
        bare_paths = [f"/bench/api/rows/{pk}" for pk in ids]
        auth = {"Authorization": f"Bearer {token}"}
        _load(port, Load(ours_paths[:50], auth), 2.0, Measured())  # warm both workers
        reads, bare_reads = _compare(port, Load(ours_paths, auth), Load(bare_paths, {}))
        form = {**auth, "Content-Type": "application/x-www-form-urlencoded"}

        def report(rng: random.Random) -> str:
            fields = {"category": category, "title": "bench", "building_id": rng.choice(buildings)}
            return urllib.parse.urlencode(fields)

        writes, bare_writes = _compare(
            port,
            Load(["/api/v1/cases"], form, "POST", report, ok=201),
            Load(["/bench/api/rows"], {}, "POST", ok=201),
        )
    finally:
        server.stop()
    ours, ours_p99, ours_errors = reads.per_second, reads.p99_ms, reads.errors
    bare, bare_p99, bare_errors = bare_reads.per_second, bare_reads.p99_ms, bare_reads.errors
    ratio = ours / bare
    passed = at_least(ratio, target) and ours_p99 < p99_limit_ms and not ours_errors and not bare_errors
    write_ratio = writes.per_second / bare_writes.per_second
    write_passed = at_least(write_ratio, write_target) and writes.p99_ms < p99_limit_ms and not writes.errors
    return [
        Row(
            figure=f"{key}. {title}",
            what=f"read one person (scoped, masked), {CONNECTIONS} connections, {DURATION_S:g} s "
            f"in {SLICES} turns with the bare endpoint, gunicorn x{WORKERS}",
            value=round(ours),
            unit="req/s",
            reference=round(bare),
            ratio=round(ratio, 2),
            target=f">= {target}, p99 < {p99_limit_ms:g} ms",
            passed=passed,
            note=f"p99 {ours_p99:.1f} ms (bare {bare_p99:.1f} ms), errors {ours_errors}/{bare_errors}",
        ),
        Row(
            figure=f"{key}. {title}",
            what=f"create a case (routing, deadline, timeline, audit), {CONNECTIONS} connections, "
            f"{DURATION_S:g} s in {SLICES} turns with the bare endpoint, gunicorn x{WORKERS}",
            value=round(writes.per_second),
            unit="req/s",
            reference=round(bare_writes.per_second),
            ratio=round(write_ratio, 2),
            target=f">= {write_target}, p99 < {p99_limit_ms:g} ms",
            passed=write_passed and not bare_writes.errors,
            note=f"p99 {writes.p99_ms:.1f} ms (bare {bare_writes.p99_ms:.1f} ms), "
            f"errors {writes.errors}/{bare_writes.errors}",
        ),
    ]

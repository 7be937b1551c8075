"""A bounded load generator against gunicorn on 127.0.0.1 (figure 4).

8 threads, each with its own HTTP connection, request for a fixed duration (and at most MAX_REQUESTS
in all); the server is started and stopped here, bound to loopback only.
"""

from __future__ import annotations

import http.client
import os
import random
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path

from bench.core import Context, Row, at_least
from gridwork.accounts import services as accounts
from gridwork.accounts.models import Role
from gridwork.areas.models import Level
from gridwork.cases.models import Category
from gridwork.core.scoping import code_range_q
from gridwork.core.system import SYSTEM
from gridwork.registry.models import Building, Person

CONNECTIONS = 8
DURATION_S = 10.0
MAX_REQUESTS = 200_000
WORKERS = 2


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_server(port: int) -> subprocess.Popen:
    env = {**os.environ, "DEBUG": "0", "DJANGO_SETTINGS_MODULE": "bench.settings"}
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(  # noqa: S603 - our own server, loopback only
        [
            str(gunicorn),
            "--workers",
            str(WORKERS),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "gridwork.wsgi:application",
        ],
        env=env,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("gunicorn did not start")


def _load(
    port: int,
    paths: list[str],
    headers: dict[str, str],
    method: str = "GET",
    body: Callable[[random.Random], str] | None = None,
    ok: int = 200,
) -> tuple[float, float, int]:
    """Requests per second, p99 latency (ms) and errors over the fixed duration."""
    latencies: list[list[float]] = [[] for _ in range(CONNECTIONS)]
    errors = [0] * CONNECTIONS
    stop_at = time.monotonic() + DURATION_S
    per_thread = MAX_REQUESTS // CONNECTIONS

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
    elapsed = time.monotonic() - started
    flat = sorted(x for part in latencies for x in part)
    p99 = flat[int(len(flat) * 0.99) - 1] * 1000 if flat else float("inf")
    return len(flat) / elapsed, p99, sum(errors)


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
    port = _free_port()
    server = _start_server(port)
    try:
        ours_paths = [f"/api/v1/persons/{pk}" for pk in ids]
        bare_paths = [f"/bench/api/rows/{pk}" for pk in ids]
        auth = {"Authorization": f"Bearer {token}"}
        _load(port, ours_paths[:50], auth)  # warm both workers
        ours, ours_p99, ours_errors = _load(port, ours_paths, auth)
        bare, bare_p99, bare_errors = _load(port, bare_paths, {})
        form = {**auth, "Content-Type": "application/x-www-form-urlencoded"}

        def report(rng: random.Random) -> str:
            fields = {"category": category, "title": "bench", "building_id": rng.choice(buildings)}
            return urllib.parse.urlencode(fields)

        writes = _load(port, ["/api/v1/cases"], form, "POST", report, ok=201)
        bare_writes = _load(port, ["/bench/api/rows"], {}, "POST", ok=201)
    finally:
        server.terminate()
        server.wait(timeout=30)
    ratio = ours / bare
    passed = at_least(ratio, target) and ours_p99 < p99_limit_ms and not ours_errors and not bare_errors
    write_ratio = writes[0] / bare_writes[0]
    write_passed = at_least(write_ratio, write_target) and writes[1] < p99_limit_ms and not writes[2]
    return [
        Row(
            figure=f"{key}. {title}",
            what=f"read one person (scoped, masked), {CONNECTIONS} connections, {DURATION_S:g} s, "
            f"gunicorn x{WORKERS}",
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
            f"{DURATION_S:g} s, gunicorn x{WORKERS}",
            value=round(writes[0]),
            unit="req/s",
            reference=round(bare_writes[0]),
            ratio=round(write_ratio, 2),
            target=f">= {write_target}, p99 < {p99_limit_ms:g} ms",
            passed=write_passed and not bare_writes[2],
            note=f"p99 {writes[1]:.1f} ms (bare {bare_writes[1]:.1f} ms), "
            f"errors {writes[2]}/{bare_writes[2]}",
        ),
    ]

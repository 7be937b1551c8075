"""The production server for the load figures: gunicorn (sync workers) on 127.0.0.1 only.

`start_server(env=...)` starts one with extra environment variables (a server variant: a cache
setting, an experiment of bench/gunicorn_conf.py), waits until it answers and returns a handle
whose `stop()` ends it. With `trace_dir`, every worker writes one line per request there (see
bench/gunicorn_conf.py). `BENCH_CHECKPOINT_EVERY` in `env` (seconds) also starts
bench/checkpointer.py beside the server: WAL checkpoints off the request path.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

WORKERS = 2
CONFIG = "python:bench.gunicorn_conf"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    port: int
    process: subprocess.Popen
    env: dict[str, str]
    helpers: list[subprocess.Popen] = field(default_factory=list)

    def stop(self) -> None:
        for helper in [*self.helpers, self.process]:
            if helper.poll() is None:
                helper.send_signal(signal.SIGTERM)
        for helper in [*self.helpers, self.process]:
            try:
                helper.wait(timeout=30)
            except subprocess.TimeoutExpired:
                helper.kill()
                helper.wait()

    def info(self) -> dict:
        """What the server says it runs with (bench/urls.py server_info), or {} when it cannot."""
        import json
        import urllib.request

        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/bench/server/", timeout=10) as answer:  # noqa: S310
                return json.loads(answer.read())
        except (OSError, ValueError):
            return {}

    def worker_pids(self) -> list[int]:
        """The pids of the server's workers (children of the gunicorn master)."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(pid) for pid in children.read_text().split()]
        except OSError:
            return []


def sqlite_path() -> str | None:
    from django.db import connection

    if connection.vendor != "sqlite":
        return None
    return str(connection.settings_dict["NAME"])


def start_server(
    env: dict[str, str] | None = None,
    *,
    trace_dir: Path | None = None,
    workers: int = WORKERS,
    timeout_s: int = 30,
) -> Server:
    extra = dict(env or {})
    port = free_port()
    full_env = {**os.environ, "DEBUG": "0", "DJANGO_SETTINGS_MODULE": "bench.settings", **extra}
    if trace_dir is not None:
        trace_dir.mkdir(parents=True, exist_ok=True)
        full_env["BENCH_TRACE_DIR"] = str(trace_dir)
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(  # noqa: S603 - our own server, loopback only
        [
            str(gunicorn),
            "--config",
            CONFIG,
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--timeout",
            str(timeout_s),
            "--log-level",
            "warning",
            "gridwork.wsgi:application",
        ],
        env=full_env,
    )
    server = Server(port=port, process=process, env=extra)
    every = float(extra.get("BENCH_CHECKPOINT_EVERY") or 0)
    database = sqlite_path()
    if every > 0 and database:
        log = str(trace_dir / "checkpoints.jsonl") if trace_dir else os.devnull
        server.helpers.append(
            subprocess.Popen(  # noqa: S603 - our own module
                [sys.executable, "-m", "bench.checkpointer", database, str(every), log], env=full_env
            )
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return server
        except OSError:
            time.sleep(0.2)
    server.stop()
    raise RuntimeError("gunicorn did not start")

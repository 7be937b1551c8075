"""gunicorn hooks for the benchmark's servers (`--config python:bench.gunicorn_conf`).

With BENCH_TRACE_DIR set, each worker writes one JSON line per request to
BENCH_TRACE_DIR/requests-<pid>.jsonl: the client's request id (header X-Bench-Id), the start (wall
clock, comparable with the client's), the time in the worker, the status, and what happened
inside: garbage collection (time, longest pause, full collections), the time in BEGIN (where a
SQLite write waits for the write lock) and in commits, queries and their time, and SQLite's WAL
state before and after (frames in the WAL, frames checkpointed, WAL restarts, read from the
-shm file's header). Full collections and pauses over 2 ms are also listed with their times
(gc-<pid>.jsonl). Nothing of this changes what a request does; it adds a few microseconds.

Experiments (server variants of figure 9), by environment variable:
- BENCH_GC, comma-separated: `freeze`: after the application is loaded, collect once and
  gc.freeze() (the loaded modules and settings leave the generations the collector walks);
  `freeze_after:N`: the same after the worker's Nth request (what the first requests load and
  keep is frozen too); `threshold:A/B/C`: gc.set_threshold(A, B, C).
- BENCH_WAL_AUTOCHECKPOINT=N: PRAGMA wal_autocheckpoint=N on every new connection (0: a commit
  never checkpoints; see bench/checkpointer.py, which bench/server.py starts beside the server).
"""

from __future__ import annotations

import gc
import json
import os
import struct
import time

TRACE_DIR = os.environ.get("BENCH_TRACE_DIR", "")
GC_MODE = os.environ.get("BENCH_GC", "")
WAL_AUTOCHECKPOINT = os.environ.get("BENCH_WAL_AUTOCHECKPOINT", "")
GC_LOGGED_MS = 2.0
FLUSH_EVERY = 200

_now = time.perf_counter
_request: dict = {}
_lines: list[str] = []
_gc_lines: list[str] = []
_gc_started = [0.0]
_shm_path = [""]
_freeze_after = [0]
_served = [0]


def _gc_callback(phase: str, info: dict) -> None:
    if phase == "start":
        _gc_started[0] = _now()
        return
    ms = (_now() - _gc_started[0]) * 1000
    generation = info.get("generation", 0)
    if _request:
        _request["gc_ms"] += ms
        _request["gc_n"] += 1
        _request["gc_max"] = max(_request["gc_max"], ms)
        if generation == 2:
            _request["gc2"] += 1
    if generation == 2 or ms >= GC_LOGGED_MS:
        started = time.time() - ms / 1000
        _gc_lines.append(
            json.dumps(
                {"t": started, "gen": generation, "ms": round(ms, 3), "collected": info.get("collected", 0)}
            )
        )


def _wal_state() -> tuple[int, int, int] | None:
    """(frames in the WAL, frames checkpointed, salt) from the -shm file's header, or None."""
    if not _shm_path[0]:
        return None
    try:
        fd = os.open(_shm_path[0], os.O_RDONLY)
    except OSError:
        return None
    try:
        head = os.pread(fd, 100, 0)
    finally:
        os.close(fd)
    if len(head) < 100:
        return None
    (mx_frame,) = struct.unpack_from("=I", head, 16)
    (salt,) = struct.unpack_from("=I", head, 32)
    (backfill,) = struct.unpack_from("=I", head, 96)
    return mx_frame, backfill, salt


def _timed(cls: type, name: str, key: str) -> None:
    original = getattr(cls, name, None)
    if original is None or getattr(original, "_bench_timed", False):
        return

    def wrapper(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        started = _now()
        try:
            return original(self, *args, **kwargs)
        finally:
            if _request:
                _request[key] += (_now() - started) * 1000

    wrapper._bench_timed = True  # type: ignore[attr-defined]
    setattr(cls, name, wrapper)


def _count_queries(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
    started = _now()
    try:
        return execute(sql, params, many, context)
    finally:
        if _request:
            _request["q"] += 1
            _request["db_ms"] += (_now() - started) * 1000


def _flush(pid: int) -> None:
    if not TRACE_DIR:
        return
    if _lines:
        with open(os.path.join(TRACE_DIR, f"requests-{pid}.jsonl"), "a", encoding="utf-8") as out:
            out.write("\n".join(_lines) + "\n")
        _lines.clear()
    if _gc_lines:
        with open(os.path.join(TRACE_DIR, f"gc-{pid}.jsonl"), "a", encoding="utf-8") as out:
            out.write("\n".join(_gc_lines) + "\n")
        _gc_lines.clear()


def post_worker_init(worker) -> None:  # type: ignore[no-untyped-def]
    """The application is loaded: set the experiments up and the instruments in."""
    from django.db import connections
    from django.db.backends.signals import connection_created

    if WAL_AUTOCHECKPOINT:

        def autocheckpoint(sender, connection, **kwargs):  # type: ignore[no-untyped-def]
            if connection.vendor == "sqlite":
                with connection.cursor() as cursor:
                    cursor.execute(f"PRAGMA wal_autocheckpoint={int(WAL_AUTOCHECKPOINT)}")

        connection_created.connect(autocheckpoint, weak=False)
    connection = connections["default"]
    if connection.vendor == "sqlite":
        _shm_path[0] = f"{connection.settings_dict['NAME']}-shm"
    if TRACE_DIR:
        cls = type(connection)
        # BEGIN (IMMEDIATE on SQLite): where a write waits for the database's write lock.
        _timed(cls, "_start_transaction_under_autocommit", "lock_ms")
        _timed(cls, "_commit", "commit_ms")
        connection.execute_wrappers.append(_count_queries)
        gc.callbacks.append(_gc_callback)
    for mode in filter(None, GC_MODE.split(",")):
        if mode == "freeze":
            gc.collect()
            gc.freeze()
        elif mode.startswith("freeze_after:"):
            _freeze_after[0] = int(mode.split(":", 1)[1])
        elif mode.startswith("threshold:"):
            gc.set_threshold(*(int(n) for n in mode.split(":", 1)[1].split("/")))


def pre_request(worker, req) -> None:  # type: ignore[no-untyped-def]
    if not TRACE_DIR:
        return
    _request.clear()
    _request.update(
        t=time.time(),
        start=_now(),
        gc_ms=0.0,
        gc_n=0,
        gc_max=0.0,
        gc2=0,
        lock_ms=0.0,
        commit_ms=0.0,
        q=0,
        db_ms=0.0,
        wal0=_wal_state(),
    )


def post_request(worker, req, environ, resp) -> None:  # type: ignore[no-untyped-def]
    _served[0] += 1
    if _freeze_after[0] and _served[0] == _freeze_after[0]:
        gc.collect()
        gc.freeze()
    if not TRACE_DIR or not _request:
        return
    ms = (_now() - _request["start"]) * 1000
    rid = next((value for name, value in req.headers if name == "X-BENCH-ID"), "")
    wal0, wal1 = _request["wal0"], _wal_state()
    record = {
        "id": rid,
        "t": round(_request["t"], 6),
        "ms": round(ms, 3),
        "pid": worker.pid,
        "status": getattr(resp, "status_code", 0),
        "path": req.path + (f"?{req.query}" if req.query else ""),
        "gc_ms": round(_request["gc_ms"], 3),
        "gc_n": _request["gc_n"],
        "gc_max": round(_request["gc_max"], 3),
        "gc2": _request["gc2"],
        "lock_ms": round(_request["lock_ms"], 3),
        "commit_ms": round(_request["commit_ms"], 3),
        "q": _request["q"],
        "db_ms": round(_request["db_ms"], 3),
    }
    if wal0 and wal1:
        record.update(wal0=wal0[0], wal1=wal1[0], bf0=wal0[1], bf1=wal1[1], restart=int(wal0[2] != wal1[2]))
    _request.clear()
    _lines.append(json.dumps(record))
    if len(_lines) >= FLUSH_EVERY:
        _flush(worker.pid)


def worker_exit(server, worker) -> None:  # type: ignore[no-untyped-def]
    _flush(worker.pid)


def worker_int(worker) -> None:  # type: ignore[no-untyped-def]
    _flush(worker.pid)

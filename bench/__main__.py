"""`python -m bench`: run every figure on SQLite (and PostgreSQL when given), print and write the table."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import urllib.parse
from pathlib import Path

from bench.table import details, markdown, write

OUT = Path(__file__).resolve().parent / "out"


def ensure_postgres_database(url: str) -> bool:
    """Create the benchmark's PostgreSQL database when it is missing (only one named gw_bench…);
    False, with a note, when no server answers (`make bench` asks for the local one by default)."""
    import psycopg

    parsed = urllib.parse.urlparse(url)
    name = parsed.path.lstrip("/")
    try:
        with psycopg.connect(parsed._replace(path="/postgres").geturl(), autocommit=True) as admin:
            exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
            if exists is None and name.startswith("gw_bench"):
                admin.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as exc:
        print(f"PostgreSQL left out: no server answers at {parsed.hostname}:{parsed.port} ({exc})")
        return False
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = 1,000,000 people (default)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--points", type=int, default=1_000_000, help="points for figure 2")
    parser.add_argument("--repeat", type=int, default=200, help="timed requests per page (median)")
    parser.add_argument("--only", default="", help="figure keys, e.g. 2,3 (the build always runs)")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("BENCH_POSTGRES_URL", ""),
        help="a PostgreSQL URL for a database the benchmark may wipe (or BENCH_POSTGRES_URL)",
    )
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep a district an earlier run of the same scale built (figure 6 then does not run)",
    )
    parser.add_argument("--no-server", action="store_true", help="skip the figures that start gunicorn")
    parser.add_argument(
        "--mix-seconds",
        type=float,
        default=60.0,
        help="mixed workload: seconds per server variant (figure 7)",
    )
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    databases: list[tuple[str, str]] = []
    if not args.no_sqlite:
        sqlite_file = args.out / "bench.sqlite3"
        for suffix in ("", "-wal", "-shm") if not args.reuse else ():
            Path(f"{sqlite_file}{suffix}").unlink(missing_ok=True)
        databases.append(("sqlite", f"sqlite:///{sqlite_file}"))
    if args.postgres and ensure_postgres_database(args.postgres):
        databases.append(("postgresql", args.postgres))
    rows: list[dict] = []
    for label, url in databases:
        with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
            result = Path(handle.name)
        env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "bench.settings", "DEBUG": "0"}
        env.setdefault("GRIDWORK_VAR_DIR", str(args.out / "var"))
        command = [
            sys.executable,
            "-m",
            "bench.worker",
            "--label",
            label,
            "--scale",
            str(args.scale),
            "--seed",
            str(args.seed),
            "--points",
            str(args.points),
            "--repeat",
            str(args.repeat),
            "--only",
            args.only,
            "--mix-seconds",
            str(args.mix_seconds),
            "--work",
            str(args.out / "work" / label),
            "--json",
            str(result),
        ]
        if args.no_server:
            command.append("--no-server")
        if args.reuse:
            command.append("--reuse")
        print(f"== {label} ==", flush=True)
        done = subprocess.run(command, env=env, check=False)  # noqa: S603 - our own module
        if done.returncode == 0 and result.stat().st_size:
            rows.extend(json.loads(result.read_text(encoding="utf-8")))
        else:
            print(f"the {label} run failed (exit {done.returncode})", file=sys.stderr)
        result.unlink(missing_ok=True)
    meta = {
        "scale": args.scale,
        "seed": args.seed,
        "cores": os.cpu_count() or 1,
        "databases": [label for label, _ in databases],
    }
    md_path, json_path = write(rows, args.out, meta)
    print()
    print(markdown(rows))
    extra = details(rows)
    if extra:
        print(extra)
    print(f"written: {md_path} and {json_path}")
    return 0 if rows and all(r["passed"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())

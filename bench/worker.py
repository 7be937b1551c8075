"""One database's run, in its own process (Django's settings are per process).

python -m bench.worker --label sqlite --scale 0.02 --json out.json  (DATABASE_URL picks the database)
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--label", required=True)
    parser.add_argument("--scale", type=float, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--only", default="")
    parser.add_argument("--no-server", action="store_true")
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--mix-seconds", type=float, default=60.0)
    parser.add_argument("--work", type=Path, required=True, help="a folder for plans, records and traces")
    parser.add_argument("--json", type=Path, required=True)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from bench.core import Context
    from bench.runner import run_figures

    call_command("migrate", verbosity=0, interactive=False)
    ctx = Context(
        scale=args.scale,
        seed=args.seed,
        points=args.points,
        repeat=args.repeat,
        database=args.label,
        with_server=not args.no_server,
        mix_seconds=args.mix_seconds,
        work_dir=args.work,
        say=lambda m: print(m, flush=True),
        reuse=args.reuse,
    )
    rows = run_figures(ctx, set(filter(None, args.only.split(","))) or None)
    args.json.write_text(json.dumps([r.as_dict() for r in rows], ensure_ascii=False), encoding="utf-8")
    sys.exit(0)


if __name__ == "__main__":
    main()

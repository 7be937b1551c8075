"""Serve Gridwork on one machine as production does: a WSGI server (gunicorn; waitress where gunicorn
cannot run, on Windows) and, beside it, the background task worker."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.core.wsgi import get_wsgi_application


def _has(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


class Command(BaseCommand):
    help = "Run the web server (gunicorn or waitress) and the background worker on one machine."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", default="8000")
        parser.add_argument(
            "--workers", type=int, default=min(os.cpu_count() or 1, 4), help="web processes (gunicorn)"
        )
        parser.add_argument("--no-worker", action="store_true", help="do not start the background worker")

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("collectstatic", interactive=False, verbosity=0)
        worker = None
        if not options["no_worker"]:
            # The periodic jobs (the overdue check) live in the task queue; idempotent, one chain only.
            call_command("schedule_periodic")
            # A separate process, as in production: the web server never runs background work itself.
            worker = subprocess.Popen([sys.executable, "-m", "gridwork.cli", "db_worker", "--interval", "2"])  # noqa: S603
            self.stdout.write(f"Background worker started (pid {worker.pid}).")
        address = f"{options['host']}:{options['port']}"
        self.stdout.write(f"Serving Gridwork at http://{address}/ (Ctrl-C stops it).")
        try:
            if _has("gunicorn") and os.name != "nt":
                command = [sys.executable, "-m", "gunicorn", "gridwork.wsgi:application", "--bind", address]
                command += ["--workers", str(max(options["workers"], 1)), "--access-logfile", "-"]
                subprocess.run(command, check=False)  # noqa: S603 - our own server
            else:
                from waitress import serve  # installed instead of gunicorn on Windows

                serve(get_wsgi_application(), host=options["host"], port=int(options["port"]), threads=8)
        except KeyboardInterrupt:
            pass
        finally:
            if worker is not None:
                worker.terminate()
                worker.wait(timeout=10)

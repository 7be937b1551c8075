"""Serve Gridwork on one machine: the web server and, beside it, the background task worker."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the web server and the background worker (the embedded default: development and demo)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", default="8000")
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
        try:
            call_command("runserver", f"{options['host']}:{options['port']}", use_reloader=False)
        finally:
            if worker is not None:
                worker.terminate()
                worker.wait(timeout=10)

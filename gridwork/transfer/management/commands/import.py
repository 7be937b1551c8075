"""`gridwork import KIND FILE [--mode] [--user] [--language] [--valid-from DAY]`: import a file.

KIND geojson takes a FeatureCollection of grid boundaries and building points (see transfer.geojson).

Runs in this process, printing progress; exits non-zero when the file was refused or had errors.
Without --user the import runs as the system (every grid), as the demo builder does.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from gridwork.core.system import SYSTEM
from gridwork.transfer import geojson, services
from gridwork.transfer.columns import KINDS
from gridwork.transfer.models import ImportJob


class Command(BaseCommand):
    help = "Import register records from an XLSX or CSV file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", help="one of: " + ", ".join([*KINDS, geojson.KIND]))
        parser.add_argument("file")
        parser.add_argument("--mode", choices=ImportJob.Mode.values, default=ImportJob.Mode.CHECK)
        parser.add_argument("--user", help="import as this user (their scope); default: the system")
        parser.add_argument("--language", choices=services.LANGUAGES, default="zh-hans")
        parser.add_argument(
            "--valid-from",
            type=dt.date.fromisoformat,
            help="geojson: the first day of the new boundaries, YYYY-MM-DD (default: today)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        actor: Any = SYSTEM
        if options["user"]:
            actor = get_user_model().objects.filter(username=options["user"], is_active=True).first()
            if actor is None:
                raise CommandError(f"No active user named {options['user']!r}.")
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        try:
            with path.open("rb") as handle:
                job = services.start_import(
                    actor,
                    options["kind"],
                    handle,
                    path.name,
                    options["mode"],
                    options["language"],
                    enqueue=False,
                    valid_from=options["valid_from"],
                )
        except (ValidationError, PermissionDenied) as exc:
            raise CommandError("; ".join(getattr(exc, "messages", [str(exc)]))) from exc

        def progress(done: int, total: int, errors: int, written: int | None = None) -> None:
            self.stdout.write(
                f"rows {done}/{total}, errors {errors}" + (f", written {written}" if written else "")
            )

        job = services.run_import(job.pk, progress=progress)
        self.stdout.write(
            f"job {job.pk}: {job.status}; rows {job.rows_done}, created {job.created}, "
            f"updated {job.updated}, errors {job.errors_count}"
        )
        if job.message:
            self.stdout.write(job.message)
        if job.errors_count or job.status != ImportJob.Status.DONE:
            self.stdout.write(f"error report: {services.error_report_path(job, 'xlsx')}")
            raise CommandError("The file was refused or has errors; nothing was written.")

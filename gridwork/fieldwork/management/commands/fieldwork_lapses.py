"""Record the grids whose weekly report was not in by its deadline. The periodic check does this
after each deadline by itself (fieldwork.apps); this command is for a past week or by hand, and
repeating it records nothing twice."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gridwork.fieldwork.reports_services import record_missing


class Command(BaseCommand):
    help = "Record missing weekly reports of the latest week past its deadline (or of --week)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--week", help="the Monday of the week (YYYY-MM-DD); default: the latest due week"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        week = None
        if options.get("week"):
            try:
                week = dt.date.fromisoformat(options["week"])
            except ValueError as exc:
                raise CommandError("--week: give a date as YYYY-MM-DD.") from exc
            if week.weekday() != 0:
                raise CommandError("--week: a report's week starts on a Monday.")
        self.stdout.write(f"Missing reports recorded: {record_missing(week)}")

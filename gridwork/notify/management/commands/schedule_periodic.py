"""Start the periodic jobs (the overdue check) unless they are already scheduled: safe to repeat."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from gridwork.notify.tasks import ensure_overdue_chain


class Command(BaseCommand):
    help = "Schedule the periodic overdue check in the task queue (idempotent; run once after deploy)."

    def handle(self, *args: Any, **options: Any) -> None:
        if ensure_overdue_chain():
            self.stdout.write("Overdue check scheduled.")
        else:
            self.stdout.write("Overdue check already scheduled (or the task backend cannot defer tasks).")

"""Remove audit entries older than the retention of their kind (settings.AUDIT_RETENTION_DAYS)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from gridwork.core.audit_retention import purge_expired
from gridwork.core.system import SYSTEM


class Command(BaseCommand):
    help = "Remove audit entries past their retention; writes an audit entry saying what it removed."

    def handle(self, *args: Any, **options: Any) -> None:
        removed = purge_expired(SYSTEM)
        if not removed:
            self.stdout.write("Nothing past its retention.")
        for action, count in sorted(removed.items()):
            self.stdout.write(f"{action}: {count} removed")

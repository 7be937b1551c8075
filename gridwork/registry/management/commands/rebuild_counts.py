"""`gridwork rebuild_counts`: recount the register's per-area counts from scratch."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from gridwork.registry.counts import rebuild_counts


class Command(BaseCommand):
    help = "Recount people, party members, households and key groups per area from the register."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        rows = rebuild_counts()
        self.stdout.write(f"{rows:,} count rows rebuilt in {time.monotonic() - started:.1f} s")

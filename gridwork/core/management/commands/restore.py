"""`gridwork restore DIR [--force]`: a backup back into the database and media folder, then verified."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from gridwork.core.backups.service import restore


class Command(BaseCommand):
    help = (
        "Restore a backup made by `gridwork backup` (stop the web and worker processes first), "
        "then verify the database and media folder against its manifest."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("folder", type=Path)
        parser.add_argument(
            "--force", action="store_true", help="restore over a database that already holds data"
        )

    def handle(self, *args: Any, folder: Path, force: bool, **options: Any) -> None:
        result = restore(folder, force=force)
        if not result.ok:
            raise CommandError(result.summary())
        self.stdout.write(result.summary())

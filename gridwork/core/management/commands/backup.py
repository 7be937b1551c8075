"""`gridwork backup DIR`: the database and media folder with a manifest; `--verify DIR` checks one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from gridwork.core.backups.service import backup, verify_backup


class Command(BaseCommand):
    help = "Back up the database (while Gridwork runs) and the media folder into a new folder, or verify one."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("folder", type=Path)
        parser.add_argument(
            "--verify", action="store_true", help="check an existing backup against its manifest"
        )

    def handle(self, *args: Any, folder: Path, verify: bool, **options: Any) -> None:
        result = verify_backup(folder) if verify else backup(folder)
        if not result.ok:
            raise CommandError(result.summary())
        if verify:
            self.stdout.write(result.summary())
        else:
            self.stdout.write(
                f"Backed up into {folder}: {result.tables} tables, {result.rows} rows, "
                f"{result.media_files} media files."
            )

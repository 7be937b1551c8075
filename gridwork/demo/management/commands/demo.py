"""`gridwork demo`: build the synthetic demo district (see gridwork/demo/README.md)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError, transaction

from gridwork.demo.builder import (
    DEFAULT_SCALE,
    DemoError,
    build_demo,
    district_exists,
    finish_load,
    wipe_demo,
)


class Command(BaseCommand):
    help = "Build a synthetic demo district from the real county 110112 and its real streets."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale",
            type=float,
            default=DEFAULT_SCALE,
            help=f"1.0 is a district of 1,000,000 people (default {DEFAULT_SCALE}).",
        )
        parser.add_argument("--seed", type=int, default=1, help="The same seed builds the same district.")
        parser.add_argument(
            "--register-only",
            action="store_true",
            help="Build the areas, users and register only, without the year of cases, imports and reveals.",
        )
        group = parser.add_mutually_exclusive_group()
        group.add_argument(
            "--if-empty", action="store_true", help="Build only when no area exists; otherwise do nothing."
        )
        group.add_argument(
            "--force",
            action="store_true",
            help="Wipe the register, role assignments and areas first, then build.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        exists = district_exists()
        if exists and options["if_empty"]:
            self.stdout.write("Areas exist already: the demo district is not built again.")
            return
        if exists and not options["force"]:
            raise CommandError(
                "The database already holds areas. Run with --force to wipe the register, the role "
                "assignments and the area tree and build the demo again, or with --if-empty to skip."
            )
        try:
            with transaction.atomic():
                if exists:
                    wipe_demo(progress=self.stdout.write)
                counts = build_demo(
                    options["scale"],
                    options["seed"],
                    progress=self.stdout.write,
                    history=not options["register_only"],
                )
        except DemoError as exc:
            raise CommandError(str(exc)) from exc
        except DatabaseError as exc:
            raise CommandError(
                f"The demo district could not be written ({exc}). If other records refer to the areas, "
                "remove them first; nothing was changed."
            ) from exc
        finish_load()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo district built: {counts['person']:,} people in {counts['grids']:,} grids. "
                "Run `gridwork demo_logins` for the accounts."
            )
        )

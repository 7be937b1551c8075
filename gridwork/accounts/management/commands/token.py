"""`gridwork token USERNAME NAME [--days N]`: issue an API token and print it once."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from gridwork.accounts.services import issue_token
from gridwork.core.system import SYSTEM


class Command(BaseCommand):
    help = "Issue a new API token for a user and print it (it is stored only as a hash)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("name", help="what the token is for, e.g. the app's name")
        parser.add_argument("--days", type=int, default=365, help="days until it expires; 0 for never")

    def handle(self, *args: Any, username: str, name: str, days: int, **options: Any) -> None:
        if days < 0:
            raise CommandError("--days must be 0 or more.")
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        if not user.is_active:
            raise CommandError(f"The user {username!r} is inactive.")
        raw = issue_token(SYSTEM, user, name, days=days or None)
        # Only the token on stdout, so scripts can capture it.
        self.stdout.write(raw)

"""`gridwork token USERNAME NAME [--days N] [--role ROLE --area CODE]`: issue an API token, print it once."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from gridwork.accounts.models import RoleAssignment
from gridwork.accounts.services import issue_token
from gridwork.core.system import SYSTEM


class Command(BaseCommand):
    help = "Issue an API token for a user, acting with one of its roles, and print it (stored as a hash)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("name", help="what the token is for, e.g. the app's name")
        parser.add_argument(
            "--days", type=int, default=settings.API_TOKEN_DAYS, help="days until it expires (1 to 366)"
        )
        parser.add_argument("--role", help="the role the token acts with, when the user holds several")
        parser.add_argument("--area", help="the area code of that role")

    def handle(
        self,
        *args: Any,
        username: str,
        name: str,
        days: int,
        role: str | None,
        area: str | None,
        **options: Any,
    ) -> None:
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        if not user.is_active:
            raise CommandError(f"The user {username!r} is inactive.")
        assignment_id = None
        if role or area:
            held = RoleAssignment.objects.active().filter(user=user)
            if role:
                held = held.filter(role=role)
            if area:
                held = held.filter(area_id=area)
            ids = list(held.values_list("pk", flat=True))
            if len(ids) != 1:
                raise CommandError("--role and --area must name exactly one role the user holds today.")
            assignment_id = ids[0]
        try:
            raw = issue_token(SYSTEM, user, name, days=days, assignment_id=assignment_id)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        # Only the token on stdout, so scripts can capture it.
        self.stdout.write(raw)

"""`gridwork token_revoke PREFIX`: revoke an API token at once, named by the prefix of its key."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gridwork.accounts.models import ApiToken
from gridwork.accounts.services import revoke_token
from gridwork.core.system import SYSTEM


class Command(BaseCommand):
    help = "Revoke an API token, named by its prefix (the 8 characters after gw_) or by the whole token."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("prefix")

    def handle(self, *args: Any, prefix: str, **options: Any) -> None:
        prefix = prefix.removeprefix("gw_")[:8]
        tokens = list(ApiToken.objects.filter(prefix=prefix).select_related("user"))
        if len(tokens) != 1:
            raise CommandError(f"{len(tokens)} tokens have the prefix {prefix!r}; exactly one is needed.")
        token = revoke_token(SYSTEM, tokens[0].pk)
        self.stdout.write(f"Revoked {token.name!r} of {token.user.username} ({token.prefix}…).")

"""`gridwork demo_logins`: the demo accounts, their roles and areas, the demo password and TOTP secret."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from gridwork.demo.users import DEMO_PASSWORD, DEMO_TOTP_ROLES, DEMO_TOTP_SECRET, WORKER_PREFIX, demo_logins

# Grid workers shown by default; a full district has thousands.
SHOWN_WORKERS = 5


class Command(BaseCommand):
    help = "Print the demo logins: username, role, area, password and the authenticator secret."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--all", action="store_true", help="List every grid worker too.")

    def handle(self, *args: Any, **options: Any) -> None:
        rows = demo_logins()
        if not rows:
            self.stdout.write("No demo accounts: run `gridwork demo` first.")
            return
        workers = [r for r in rows if r["username"].startswith(WORKER_PREFIX)]
        hidden = 0 if options["all"] else max(0, len(workers) - SHOWN_WORKERS)
        shown = rows[: len(rows) - hidden]
        table = [("username", "role", "area", "password", "code")]
        for r in shown:
            area = f"{r['area']} {r['area_name']}"
            if r["department"]:
                area += f" ({r['department']})"
            code = "TOTP" if r["role"] in DEMO_TOTP_ROLES else ""
            table.append((r["username"], r["role"], area, DEMO_PASSWORD, code))
        widths = [max(_width(row[i]) for row in table) for i in range(5)]
        self.stdout.write("Demo logins (synthetic data; every account has the same password):")
        for n, row in enumerate(table):
            self.stdout.write("  ".join(_pad(cell, widths[i]) for i, cell in enumerate(row)).rstrip())
            if n == 0:
                self.stdout.write("  ".join("-" * w for w in widths))
        self.stdout.write(
            f"Accounts marked TOTP ask a code after the password: add the secret {DEMO_TOTP_SECRET} "
            "(base32, 30-second codes) to an authenticator app."
        )
        if hidden:
            self.stdout.write(
                f"... and {hidden:,} more grid workers, {WORKER_PREFIX}{SHOWN_WORKERS + 1} to "
                f"{WORKER_PREFIX}{len(workers)}, one per grid in code order (--all lists them)."
            )


def _width(text: str) -> int:
    # CJK characters take two columns in a terminal.
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))

"""Every model change has its migration."""

from __future__ import annotations

from io import StringIO
from typing import Any

from django.core.management import call_command


def test_no_pending_migrations(db: Any) -> None:
    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit as exc:  # makemigrations --check exits non-zero when a migration is missing
        raise AssertionError(f"missing migrations:\n{out.getvalue()}") from exc

"""Re-encrypt every ID number and phone under the first FIELD_KEYS key and re-hash them under the
first FIELD_HMAC_KEYS key (core.field_rewrite), and reseal the numbers typed into free text
(core.sealed_text), in batches, with progress.

Rotation, step by step (README, "Encryption at rest"):
1. put the new key first in FIELD_KEYS (and/or FIELD_HMAC_KEYS), keep the old ones after it,
   restart Gridwork: new writes use the new keys, old values still read and are still found;
2. run `gridwork rotate_keys` (interrupted, it is run again: rows already done are skipped);
3. take the old key out of FIELD_HMAC_KEYS at once, and out of FIELD_KEYS once no history entry
   still needs it: record history is append-only, so its encrypted values keep the key they were
   written under until they pass their retention. This command counts them.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gridwork.core import audit
from gridwork.core.field_crypto import PREFIX, FieldDecryptError, keyring
from gridwork.core.field_rewrite import BATCH_ROWS, Rewritten, encrypted_models, rewrite_model
from gridwork.core.models import AuditEvent, RecordHistory
from gridwork.core.sealed_text import reseal_model, sealed_models
from gridwork.core.system import SYSTEM


class Command(BaseCommand):
    help = "Re-encrypt ID numbers and phones under the current key and re-hash them (resumable)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", type=int, default=BATCH_ROWS, help="rows per transaction")

    def handle(self, *args: Any, **options: Any) -> None:
        batch = max(1, options["batch"])
        totals: dict[str, tuple[int, int]] = {}

        def progress(done: Rewritten) -> None:
            self.stdout.write(f"{done.label}: {done.rows} rows read, {done.changed} rewritten")

        for model in encrypted_models():
            try:
                done = rewrite_model(model, batch_rows=batch, progress=progress)
            except FieldDecryptError as exc:
                raise CommandError(
                    f"{exc}; list the key it was written under in FIELD_KEYS and run again"
                ) from exc
            totals[done.label] = (done.rows, done.changed)
            self.stdout.write(f"{done.label}: done, {done.rows} rows, {done.changed} rewritten")
        # Numbers typed into free text, sealed under the same keys (core.sealed_text).
        for model in sealed_models():
            label = model._meta.label_lower
            try:
                read, written = reseal_model(model)
            except FieldDecryptError as exc:
                raise CommandError(
                    f"{exc}; list the key it was written under in FIELD_KEYS and run again"
                ) from exc
            totals[f"{label} (free text)"] = (read, written)
            self.stdout.write(f"{label} (free text): done, {read} rows, {written} rewritten")
        old = old_key_history_entries()
        self.stdout.write(
            f"History entries with values under an older key (append-only, kept until their retention): {old}"
        )
        audit.log(
            AuditEvent.Action.KEYS_ROTATED,
            SYSTEM,
            object_type="core.fieldkeys",
            detail={"tables": {label: {"rows": r, "rewritten": c} for label, (r, c) in totals.items()}},
        )


def old_key_history_entries() -> int:
    """Entries of encrypted models' history holding a value not under the first FIELD_KEYS key."""
    ring = keyring()
    labels = [m._meta.label_lower for m in encrypted_models()]
    found = 0
    rows = RecordHistory.objects.filter(object_type__in=labels).values_list("before", "after").iterator(2000)
    for before, after in rows:
        values = [v for part in (before, after) for v in part.values() if isinstance(v, str)]
        if any(v.startswith(PREFIX) and not ring.is_current(v) for v in values):
            found += 1
    return found

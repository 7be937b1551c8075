"""The checked rows of an import, kept in a temporary file between its check and its writing.

An import is checked to the end before anything is written, so the rows that passed must wait
somewhere: in memory a million rows would take gigabytes; here they wait in an unnamed
temporary file (gone with the process, whatever happens), one pickled `Batch` at a time, and
are read back a batch at a time. Only this process writes and reads the file.

The rows hold full ID numbers and phones, so each batch is sealed with AES-GCM under a key made
for this spool and held in this process's memory only: the bytes on disk are never plain text.
"""

from __future__ import annotations

import os
import pickle
import struct
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE_BYTES = 12


@dataclass
class Batch:
    """One write transaction's worth of checked rows, in file order."""

    first_row: int
    last_row: int
    # (row number, the new person's values in `person_check.COLUMNS` order, the number of a
    # household the batch makes first, or None)
    creates: list[tuple[int, tuple, str | None]] = field(default_factory=list)
    # (row number, the person as the check read it, the person as it will be, a new household's number)
    updates: list[tuple[int, dict[str, Any], dict[str, Any], str | None]] = field(default_factory=list)
    # (row number, row values) of the households the file names first in this batch
    households: list[tuple[int, dict[str, Any]]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.creates) + len(self.updates)


class Spool:
    def __init__(self, folder: Path) -> None:
        self.handle = tempfile.TemporaryFile(dir=folder)  # noqa: SIM115 - closed by close()
        self.aead = AESGCM(AESGCM.generate_key(bit_length=256))
        self.batches_kept = 0
        self.rows_kept = 0

    def add(self, batch: Batch) -> None:
        nonce = os.urandom(NONCE_BYTES)
        sealed = self.aead.encrypt(nonce, pickle.dumps(batch, protocol=pickle.HIGHEST_PROTOCOL), None)
        self.handle.write(struct.pack(">Q", len(sealed)) + nonce + sealed)
        self.batches_kept += 1
        self.rows_kept += len(batch)

    def batches(self) -> Iterator[Batch]:
        self.handle.flush()
        self.handle.seek(0)
        for _ in range(self.batches_kept):
            (size,) = struct.unpack(">Q", self.handle.read(8))
            nonce = self.handle.read(NONCE_BYTES)
            # Our own file, written just before and authenticated by its tag.
            yield pickle.loads(self.aead.decrypt(nonce, self.handle.read(size), None))  # noqa: S301

    def close(self) -> None:
        self.handle.close()

    def __enter__(self) -> Spool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

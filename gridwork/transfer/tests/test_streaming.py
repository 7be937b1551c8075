"""A large CSV is read row by row, never whole."""

from __future__ import annotations

import tracemalloc

from gridwork.transfer import readers
from gridwork.transfer.columns import get_kind, header_index
from gridwork.transfer.rows import parse_row
from gridwork.transfer.tests.helpers import csv_bytes, person_row


def test_reading_20000_rows_keeps_memory_flat(tmp_path):
    path = tmp_path / "big.csv"
    path.write_bytes(csv_bytes("persons", [person_row(i, "H1", notes="备注" * 20) for i in range(20_000)]))
    size = path.stat().st_size
    kind = get_kind("persons")
    tracemalloc.start()
    try:
        rows = readers.read_rows(path, "csv")
        _, header = next(rows)
        index = header_index(kind, header)
        count = 0
        for _number, cells in rows:
            if cells[0].startswith("#"):
                continue
            parse_row(kind, index, cells)
            count += 1
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 20_000
    assert size > 3_000_000
    # A whole-file read would need at least the file's size; streaming needs a few buffers.
    assert peak < size / 5, (peak, size)

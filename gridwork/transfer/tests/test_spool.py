"""The checked rows waiting in the spool file are sealed: no ID number or phone on disk."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.exceptions import InvalidTag

from gridwork.transfer.spool import Batch, Spool

ID_NUMBER, PHONE = "110112196005010011", "13912345678"


def test_spool_bytes_hold_no_plain_value_and_read_back(tmp_path: Path) -> None:
    with Spool(tmp_path) as spool:
        batch = Batch(1, 2, creates=[(1, ("张三", ID_NUMBER, PHONE), None)])
        spool.add(batch)
        spool.add(Batch(3, 3))
        spool.handle.flush()
        spool.handle.seek(0)
        on_disk = spool.handle.read()
        assert on_disk and ID_NUMBER.encode() not in on_disk and PHONE.encode() not in on_disk
        assert "张三".encode() not in on_disk
        assert [b.creates for b in spool.batches()] == [batch.creates, []]


def test_an_altered_spool_is_refused(tmp_path: Path) -> None:
    with Spool(tmp_path) as spool:
        spool.add(Batch(1, 1, creates=[(1, (ID_NUMBER,), None)]))
        spool.handle.seek(-1, 2)
        last = spool.handle.read(1)
        spool.handle.seek(-1, 2)
        spool.handle.write(bytes([last[0] ^ 1]))
        with pytest.raises(InvalidTag):
            list(spool.batches())

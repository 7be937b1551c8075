from __future__ import annotations

import io
from typing import Any

import pytest

from gridwork.transfer import services
from gridwork.transfer.models import ImportJob


@pytest.fixture(autouse=True)
def _own_var_dir(settings: Any, tmp_path: Any) -> None:
    # Uploads and reports of each test go to a folder of their own.
    settings.VAR_DIR = tmp_path


def run(
    actor: Any,
    kind: str,
    content: bytes,
    name: str = "f.csv",
    mode: str = "all_or_nothing",
    language: str = "en",
) -> ImportJob:
    job = services.start_import(actor, kind, io.BytesIO(content), name, mode, language)
    job.refresh_from_db()
    return job


def report_rows(job: ImportJob) -> list[list[str]]:
    import csv

    with services.error_report_path(job, "csv").open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))[1:]

"""A person file: checked to its end first (`person_check`), then written batch by batch
(`person_write`), and undone (`person_undo`) when the writing stops half-way.

The check opens no transaction, so however long a million rows take to check, the register's
other writers are not held up; the writing holds SQLite's lock one batch (tens of ms) at a time.
A file with any bad row writes nothing, as before; so does "check". A failure while writing —
a row that clashes with a write made since the check, a database error, a signal — undoes the
batches already committed before the job ends, and a process killed outright leaves the job
"writing" for `services.recover_interrupted_imports` to undo.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Protocol

from django.utils.translation import gettext as _

from gridwork.transfer import person_undo
from gridwork.transfer.columns import Kind
from gridwork.transfer.error_report import ErrorReport, TooManyErrors
from gridwork.transfer.lease import Lease, LeaseLost
from gridwork.transfer.models import ImportJob
from gridwork.transfer.person_check import PersonCheck
from gridwork.transfer.person_write import PersonWrite, WriteRefused
from gridwork.transfer.spool import Spool


class Progress(Protocol):
    done: int

    def tick(self) -> None: ...  # a row checked

    def wrote(self, written: int) -> None: ...  # a batch committed: rows written so far


def run(
    job: ImportJob,
    kind: Kind,
    index: dict[str, int],
    actor: Any,
    records: Iterator[tuple[int, list[Any]]],
    report: ErrorReport,
    progress: Progress,
    folder: Path,
    audit: Callable[[ImportJob], None],
) -> None:
    """Check every record, then, if the mode writes and no row failed, write them all."""
    writes = job.mode != ImportJob.Mode.CHECK
    with Spool(folder) as spool:
        check = PersonCheck(
            kind,
            index,
            actor,
            update=job.mode == ImportJob.Mode.UPDATE,
            report=report.add_row,
            tick=progress.tick,
            spool=spool if writes else None,
        )
        try:
            for number, cells in records:
                check.feed(number, cells)
            check.finish()
        except TooManyErrors:
            report.add_cap_notice()
        job.rows_done = job.rows_total = progress.done
        job.rows_ok, job.created, job.updated = check.ok, check.created, check.updated
        if report.count or not writes:
            return
        _write(job, kind, actor, check.headless, spool, report, progress, audit)


def _write(
    job: ImportJob,
    kind: Kind,
    actor: Any,
    headless: set[int],
    spool: Spool,
    report: ErrorReport,
    progress: Progress,
    audit: Callable[[ImportJob], None],
) -> None:
    lease = Lease.start(job)
    writer = PersonWrite(kind, actor, lease, headless=headless, after_batch=progress.wrote)
    try:
        writer.write(spool.batches())
        with lease.transaction():
            ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.DONE)
            job.errors_count = 0
            audit(job)
        job.status = ImportJob.Status.DONE
    except LeaseLost:
        raise
    except WriteRefused as exc:
        outcome = person_undo.undo(lease, actor)
        lease.finish(ImportJob.Status.DONE)
        job.message = undone_message(
            _("The register changed after the file was checked: see the report."), outcome
        )
        with contextlib.suppress(TooManyErrors):
            for row, errors in sorted(exc.errors.items()):
                report.add_row(row, errors, [])
    except BaseException as exc:
        outcome = person_undo.undo(lease, actor)
        lease.finish(ImportJob.Status.FAILED)
        job.message = undone_message(
            _("The import stopped while it was being written (%(error)s).") % {"error": type(exc).__name__},
            outcome,
        )
        raise


def undone_message(reason: str, outcome: person_undo.Undone) -> str:
    message = f"{reason} {_('What it had written is undone.')}"
    if outcome.kept:
        message += " " + _(
            "%(count)s records were left as they are: others changed or used them after the import."
        ) % {"count": len(outcome.kept)}
    return message

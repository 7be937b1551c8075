"""Imports: store an upload, run it as a background task, report progress and errors.

Files live under VAR_DIR/imports with random names (no personal data in a file name):
  <token>.<csv|xlsx>        the upload
  <token>.progress.json     progress while the job runs
  <token>.errors.csv/.xlsx  the error report

Every mode is all or nothing: a file with any bad row writes nothing; "check" never writes.

A person file is checked to its end before anything is written, then written in short
transactions, so the web's writes wait for SQLite's write lock at most one batch's time
(`person_import`). Other kinds of file are small: each row goes through
`registry.services.save_record` (permission, scope, the register's rules, history and audit per
record) in its own savepoint inside one data transaction, which commits only when the mode writes
and no row failed; "check" rolls it back, so it checks exactly what an import would do.

Progress goes to the small JSON file, not to the job row: while a data transaction holds
SQLite's write lock no other connection could update the row; a file works the same on SQLite
and PostgreSQL.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import json
import os
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from gridwork.accounts.access import AREAS_CHANGE, REGISTER_CHANGE, has_capability
from gridwork.core import audit
from gridwork.core.errors import NotFound
from gridwork.core.models import AuditEvent
from gridwork.core.private_files import create_private, private_dir
from gridwork.core.system import SYSTEM, is_system
from gridwork.registry.uniqueness import RegisteredElsewhere, log_attempt
from gridwork.transfer import geojson, person_import, person_undo, readers
from gridwork.transfer.cells import text
from gridwork.transfer.columns import NOTES_MARK, Kind, get_kind, header_index
from gridwork.transfer.error_report import ErrorReport, TooManyErrors
from gridwork.transfer.lease import STALE_AFTER, Lease, LeaseLost
from gridwork.transfer.models import ImportJob
from gridwork.transfer.rows import RowInvalid, RowReader, apply_row, match_key

# Rows between progress writes: the file write costs milliseconds on a slow disk.
PROGRESS_EVERY = 5000
LANGUAGES = ("zh-hans", "en")
ERROR_CAP = 10_000

# progress(rows checked, rows in the file, errors[, written=rows written])
ProgressCallback = Callable[..., None]


def imports_dir() -> Path:
    # Uploads hold full ID numbers and phones: the folder is Gridwork's user's alone (0700).
    return private_dir(Path(settings.VAR_DIR) / "imports")


def upload_path(job: ImportJob) -> Path:
    return imports_dir() / f"{job.stored_name}.{job.file_format}"


def progress_path(job: ImportJob) -> Path:
    return imports_dir() / f"{job.stored_name}.progress.json"


def error_report_path(job: ImportJob, file_format: str) -> Path:
    return imports_dir() / f"{job.stored_name}.errors.{file_format}"


def discard_upload(job: ImportJob) -> None:
    upload_path(job).unlink(missing_ok=True)


def sweep_import_files(now: dt.datetime | None = None) -> int:
    """Remove the import files older than IMPORT_FILES_KEEP_HOURS; how many were removed.

    Error reports (and their downloads) end there; so does an upload whose job never ended (a job
    still queued or running keeps its file). Run with every periodic check (see transfer.apps).
    """
    keep = dt.timedelta(hours=max(int(settings.IMPORT_FILES_KEEP_HOURS), 0))
    cutoff = ((now or timezone.now()) - keep).timestamp()
    folder = imports_dir()
    busy = ImportJob.objects.filter(
        status__in=[ImportJob.Status.QUEUED, ImportJob.Status.RUNNING, ImportJob.Status.WRITING]
    )
    kept = set(busy.values_list("stored_name", flat=True))
    removed = 0
    for path in folder.iterdir():
        if not path.is_file() or path.name.split(".", 1)[0] in kept:
            continue
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except FileNotFoundError:
            continue  # removed meanwhile by its own job
    return removed


def may_import(actor: Any, kind: str = "") -> bool:
    if kind == geojson.KIND:
        # Boundaries need areas.change, building points register.change: each feature checks its own.
        return (
            is_system(actor) or has_capability(actor, REGISTER_CHANGE) or has_capability(actor, AREAS_CHANGE)
        )
    return is_system(actor) or has_capability(actor, REGISTER_CHANGE)


def _store(fileobj: IO[bytes] | Any, target: Path) -> int:
    """Copy the upload in chunks, refusing it as soon as it passes the size limit."""
    size = 0
    chunks = fileobj.chunks() if hasattr(fileobj, "chunks") else iter(lambda: fileobj.read(1 << 20), b"")
    try:
        with create_private(target, exclusive=True) as out:
            for chunk in chunks:
                size += len(chunk)
                if size > readers.max_bytes():
                    readers.check_size(size)
                out.write(chunk)
        readers.check_size(size)
    except readers.FileRefused:
        target.unlink(missing_ok=True)
        raise
    return size


def start_import(
    actor: Any,
    kind: str,
    fileobj: Any,
    filename: str,
    mode: str = ImportJob.Mode.CHECK,
    language: str = "zh-hans",
    *,
    enqueue: bool = True,
    valid_from: dt.date | None = None,
) -> ImportJob:
    """Check the caller may import, store the file and queue the job; a refused file: ValidationError.

    `valid_from` is the first day of the boundaries of a GeoJSON import (default: today).
    """
    if not may_import(actor, kind):
        raise PermissionDenied(_("You may not import into the register."))
    language = language if language in LANGUAGES else "zh-hans"
    with translation.override(language):
        if kind == geojson.KIND:
            name = kind
            if Path(filename or "").suffix.lower().lstrip(".") not in geojson.FORMATS:
                raise ValidationError({"file": [_("Upload a .geojson or .json file.")]})
            file_format = "geojson"
        else:
            name = get_kind(kind).name
            try:
                file_format = readers.format_of(filename)
            except readers.FileRefused as exc:
                raise ValidationError({"file": [str(exc)]}) from exc
        if mode not in ImportJob.Mode.values:
            raise ValidationError({"mode": [_("Unknown import mode.")]})
        job = ImportJob(
            kind=name,
            valid_from=valid_from if kind == geojson.KIND else None,
            mode=mode,
            file_format=file_format,
            stored_name=secrets.token_hex(16),
            language=language,
            original_name=Path(filename).name[:200],
            created_by=None if is_system(actor) else actor,
        )
        try:
            _store(fileobj, upload_path(job))
        except readers.FileRefused as exc:
            raise ValidationError({"file": [str(exc)]}) from exc
    with transaction.atomic():
        job.save()
    if enqueue:
        run_import_task.enqueue(job.pk)
    return job


@task()
def run_import_task(job_id: int) -> None:
    run_import(job_id)


# --- progress -----------------------------------------------------------------------------------


def _write_progress(job: ImportJob, done: int, total: int, errors: int, written: int | None = None) -> None:
    path = progress_path(job)
    tmp = path.with_suffix(".tmp")
    state = {"rows_done": done, "rows_total": total, "errors_count": errors}
    if written is not None:
        state["rows_written"] = written
    with create_private(tmp) as out:
        out.write(json.dumps(state).encode())
    os.replace(tmp, path)


def read_progress(job: ImportJob) -> dict[str, int]:
    """Progress of a running job from its file; the job row once it is finished."""
    fallback = {"rows_done": job.rows_done, "rows_total": job.rows_total, "errors_count": job.errors_count}
    if job.finished:
        return fallback
    try:
        return json.loads(progress_path(job).read_text())
    except (OSError, ValueError):
        return fallback


class Progress:
    """Rows checked (`tick`) and written (`wrote`): to the progress file and the caller's callback
    every PROGRESS_EVERY rows."""

    def __init__(self, job: ImportJob, report: ErrorReport, callback: ProgressCallback | None) -> None:
        self.job, self.report, self.callback = job, report, callback
        self.done = self.written = 0

    def tick(self) -> None:
        self.done += 1
        if self.done % PROGRESS_EVERY == 0:
            self.job.rows_done = self.done
            total = max(self.job.rows_total, self.done)
            _write_progress(self.job, self.done, total, self.report.count)
            if self.callback:
                self.callback(self.done, total, self.report.count)

    def wrote(self, written: int) -> None:
        before, self.written = self.written, written
        if written // PROGRESS_EVERY != before // PROGRESS_EVERY:
            _write_progress(self.job, self.done, self.done, self.report.count, written)
            if self.callback:
                self.callback(self.done, self.done, self.report.count, written=written)

    def finished(self) -> None:
        if self.callback:
            self.callback(self.done, self.done, self.report.count)


# --- running ------------------------------------------------------------------------------------


def _missing_columns(kind: Kind, index: dict[str, int], language: str) -> list[str]:
    return [column.header(language) for column in kind.columns if column.required and column.key not in index]


def _actor_of(job: ImportJob) -> Any:
    return job.created_by if job.created_by_id else SYSTEM


def run_import(job_id: int, progress: ProgressCallback | None = None) -> ImportJob:
    """Run a queued job to its end; never raises for a bad file or bad rows (they are the job's outcome)."""
    recover_interrupted_imports()
    job = ImportJob.objects.get(pk=job_id)
    if job.status != ImportJob.Status.QUEUED:
        return job
    job.status = ImportJob.Status.RUNNING
    job.save(update_fields=["status"])
    taken_over = False
    error: Exception | None = None
    with translation.override(job.language):
        report = ErrorReport(error_report_path(job, "csv"), error_report_path(job, "xlsx"), ERROR_CAP)
        try:
            if job.kind == geojson.KIND:
                _run_geojson(job, report, progress)
            else:
                _run(job, report, progress)
            job.status = ImportJob.Status.DONE
        except (readers.FileRefused, geojson.GeoJSONRefused) as exc:
            job.status, job.message = ImportJob.Status.FAILED, str(exc)
            report.add("", "", "", str(exc))
        except LeaseLost:
            # Another process took the job over (this one was silent too long) and finishes it.
            taken_over = True
        except Exception as exc:  # noqa: BLE001 - raised again below, once the job is recorded
            error = exc
            if job.status != ImportJob.Status.WRITING:  # "writing": left for recovery to undo
                job.status = ImportJob.Status.FAILED
        finally:
            report.close()
            if not taken_over:
                job.errors_count = report.count
                job.finished_at = timezone.now()
                if (
                    job.errors_count
                    or job.mode == ImportJob.Mode.CHECK
                    or job.status == ImportJob.Status.FAILED
                ):
                    job.created = job.updated = 0
                job.save()
                progress_path(job).unlink(missing_ok=True)
            # The upload is not needed once the job has ended, whatever the outcome: a retry is
            # a new upload, and an undo reads what the batches recorded, never the file.
            discard_upload(job)
        if taken_over:
            return ImportJob.objects.get(pk=job.pk)
        if not job.written and job.status != ImportJob.Status.WRITING:
            with transaction.atomic():
                _audit(job)
    if error is not None:
        raise error
    return job


def recover_interrupted_imports() -> list[int]:
    """Undo what imports stopped while writing (their process killed) had written; their ids.

    Such a job stays in status "writing" with no sign of life; see `transfer.lease`.
    """
    recovered = []
    for job in ImportJob.objects.filter(
        status=ImportJob.Status.WRITING, alive_at__lt=timezone.now() - STALE_AFTER
    ):
        lease = Lease.take_over(job)
        if lease is None:
            continue  # another process took it first
        with translation.override(job.language):
            outcome = person_undo.undo(lease, _actor_of(job))
            lease.finish(ImportJob.Status.FAILED)
            job.message = person_import.undone_message(
                _("The import was interrupted while it was being written."), outcome
            )
        job.created = job.updated = 0
        job.finished_at = timezone.now()
        job.save(update_fields=["message", "created", "updated", "finished_at"])
        discard_upload(job)
        with transaction.atomic():
            _audit(job)
        recovered.append(job.pk)
    return recovered


def _audit(job: ImportJob) -> None:
    audit.log(
        AuditEvent.Action.CREATE if job.created or not job.updated else AuditEvent.Action.UPDATE,
        _actor_of(job),
        object_type="transfer.importjob",
        object_id=str(job.pk),
        detail={
            "kind": job.kind,
            "mode": job.mode,
            "status": job.status,
            "rows": job.rows_done,
            "created": job.created,
            "updated": job.updated,
            "errors": job.errors_count,
        },
    )


class _RowByRow:
    """Kinds other than persons: each row through `rows.apply_row` (save_record), in its own savepoint."""

    def __init__(
        self, kind: Kind, index: dict[str, int], actor: Any, update: bool, report: ErrorReport, tick: Any
    ) -> None:
        self.kind, self.actor, self.update, self.report, self.tick = kind, actor, update, report, tick
        self.reader = RowReader(kind, index)
        self.created = self.updated = self.ok = 0
        self.seen: dict[tuple[str, str], int] = {}
        # Values found registered outside the actor's scope: save_record audits each attempt, but
        # inside this import's transaction, which a refused row rolls back; logged again after it.
        self.elsewhere: list[RegisteredElsewhere] = []

    def feed(self, number: int, cells: list[Any]) -> None:
        try:
            values, errors = self.reader.read(cells)
            if errors:
                raise RowInvalid(errors)
            identity = match_key(self.kind, values)
            if identity is not None:
                first = self.seen.setdefault(identity, number)
                if first != number:
                    raise RowInvalid({identity[0]: [_("Also in row %(row)s of this file.") % {"row": first}]})
            with transaction.atomic():
                action = apply_row(self.kind, self.actor, values, self.update)
            self.created += action == "create"
            self.updated += action == "update"
            self.ok += 1
        except RowInvalid as exc:
            self.report.add_row(number, exc.errors, cells)
            if isinstance(exc.__cause__, RegisteredElsewhere):
                self.elsewhere.append(exc.__cause__)
        except NotFound:
            self.report.add_row(number, {"": [_("No such record in your area.")]}, cells)
        self.tick()


def _header(
    kind: Kind, rows: Iterator[tuple[int, list[Any]]], language: str
) -> tuple[list[Any], dict[str, int]]:
    """The first row: (headers, column key → position); FileRefused when required columns lack."""
    for _number, cells in rows:
        index = header_index(kind, cells)
        missing = _missing_columns(kind, index, language)
        if missing:
            raise readers.FileRefused(
                _("The file lacks required columns: %(columns)s.") % {"columns": ", ".join(missing)}
            )
        return cells, index
    raise readers.FileRefused(_("The file has no header row."))


def _records(rows: Iterator[tuple[int, list[Any]]]) -> Iterator[tuple[int, list[Any]]]:
    """The rows after the header, without the template's notes row."""
    for number, cells in rows:
        first = cells[0] if cells else ""
        # text() only when the cell might be a notes row: a million calls cost a second.
        if (type(first) is not str or NOTES_MARK in first) and text(first).startswith(NOTES_MARK):
            continue
        yield number, cells


def _run(job: ImportJob, report: ErrorReport, callback: ProgressCallback | None) -> None:
    path = upload_path(job)
    readers.check_size(path.stat().st_size)
    kind = get_kind(job.kind)
    job.rows_total = max(readers.estimate_rows(path, job.file_format) - 1, 0)
    rows = readers.read_rows(path, job.file_format)
    headers, index = _header(kind, rows, job.language)
    report.for_file(kind, index, headers)
    progress = Progress(job, report, callback)
    if kind.name == "persons":
        with _paused_gc():
            person_import.run(
                job, kind, index, _actor_of(job), _records(rows), report, progress, imports_dir(), _audit
            )
    else:
        _run_row_by_row(job, kind, index, _records(rows), report, progress)
    progress.finished()


def _run_row_by_row(
    job: ImportJob,
    kind: Kind,
    index: dict[str, int],
    records: Iterator[tuple[int, list[Any]]],
    report: ErrorReport,
    progress: Progress,
) -> None:
    importer = _RowByRow(
        kind, index, _actor_of(job), job.mode == ImportJob.Mode.UPDATE, report, progress.tick
    )
    with transaction.atomic():
        try:
            for number, cells in records:
                importer.feed(number, cells)
        except TooManyErrors:
            report.add_cap_notice()
        job.rows_done = job.rows_total = progress.done
        job.rows_ok, job.created, job.updated = importer.ok, importer.created, importer.updated
        if report.count or job.mode == ImportJob.Mode.CHECK:
            transaction.set_rollback(True)
        else:
            job.errors_count = 0
            job.status = ImportJob.Status.DONE
            _audit(job)
    if report.count or job.mode == ImportJob.Mode.CHECK:
        for refused in importer.elsewhere:
            log_attempt(importer.actor, refused)


@contextlib.contextmanager
def _paused_gc() -> Iterator[None]:
    """The cyclic garbage collector paused for a person import, and resumed after (even on an error).

    The import keeps a batch of rows alive at a time; they survive the young generations, so the
    collector's full passes come often and scan the whole heap again and again: a tenth of the
    import's time for nothing, since the rows hold no cycles (memory is freed by reference
    counting as ever). Process-wide, like every `gc` setting: meant for the import task's own run.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _run_geojson(job: ImportJob, report: ErrorReport, progress: ProgressCallback | None) -> None:
    """Boundaries and building points of a FeatureCollection, all or nothing; see `transfer.geojson`."""
    path = upload_path(job)
    readers.check_size(path.stat().st_size)
    features = geojson.load_features(path)
    job.rows_total = len(features)
    header = str(geojson.CODE_HEADER)
    done = 0

    def add(number: int, code: str, message: str) -> None:
        report.add(number, header, code, message)

    def tick() -> None:
        nonlocal done
        done += 1
        if done % PROGRESS_EVERY == 0:
            _write_progress(job, done, job.rows_total, report.count)
            if progress:
                progress(done, job.rows_total, report.count)

    with transaction.atomic():
        boundaries, points = geojson.run_features(
            _actor_of(job), features, job.valid_from or timezone.localdate(), add, tick
        )
        job.rows_done = job.rows_total = done
        job.rows_ok = boundaries + points
        job.created, job.updated = boundaries, points
        if report.count or job.mode == ImportJob.Mode.CHECK:
            transaction.set_rollback(True)
        else:
            job.errors_count = 0
            job.status = ImportJob.Status.DONE
            _audit(job)
    if progress:
        progress(done, done, report.count)

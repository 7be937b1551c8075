"""Imports: store an upload, run it as a background task, report progress and errors.

Files live under VAR_DIR/imports with random names (no personal data in a file name):
  <token>.<csv|xlsx>        the upload
  <token>.progress.json     progress while the job runs
  <token>.errors.csv/.xlsx  the error report

Progress goes to the small JSON file, not to the job row: on SQLite the import's one data
transaction holds the write lock until the end (all or nothing), so no other connection could
update the job row meanwhile; a file works the same on SQLite and PostgreSQL. The job row is
written before the data transaction starts and after it ends.

Every row goes through `registry.services.save_record` (permission, scope, the register's rules,
history and audit per record), each in its own savepoint, so a bad row is reported and the rows
after it are still checked. At the end the data transaction commits only when the mode writes
and no row failed; "check" always rolls back, so it checks exactly what an import would do.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import json
import os
import secrets
from collections.abc import Callable
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
from gridwork.core.masking import mask_id_number, mask_phone
from gridwork.core.models import AuditEvent
from gridwork.core.system import SYSTEM, is_system
from gridwork.transfer import geojson, readers
from gridwork.transfer.bulk_persons import PersonBulkImport, paused_gc
from gridwork.transfer.columns import NOTES_MARK, Column, Kind, get_kind, header_index, text
from gridwork.transfer.formulas import escape_formula
from gridwork.transfer.models import ImportJob
from gridwork.transfer.rows import RowInvalid, apply_row, match_key, parse_row

# Rows between progress writes: the file write costs milliseconds on a slow disk.
PROGRESS_EVERY = 5000
LANGUAGES = ("zh-hans", "en")


def imports_dir() -> Path:
    path = Path(settings.VAR_DIR) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def upload_path(job: ImportJob) -> Path:
    return imports_dir() / f"{job.stored_name}.{job.file_format}"


def progress_path(job: ImportJob) -> Path:
    return imports_dir() / f"{job.stored_name}.progress.json"


def error_report_path(job: ImportJob, file_format: str) -> Path:
    return imports_dir() / f"{job.stored_name}.errors.{file_format}"


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
        with target.open("xb") as out:
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


# --- running ------------------------------------------------------------------------------------


def _write_progress(job: ImportJob, done: int, total: int, errors: int) -> None:
    path = progress_path(job)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"rows_done": done, "rows_total": total, "errors_count": errors}))
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


def _shown_value(column: Column | None, raw: Any) -> str:
    value = text(raw) if raw is not None else ""
    if column is not None and column.personal and value:
        return mask_phone(value) if "phone" in column.key else mask_id_number(value)
    return value


class _ErrorReport:
    """Streams the error rows to CSV as they come; the XLSX copy is made from it at the end."""

    def __init__(self, job: ImportJob) -> None:
        self.job = job
        self.count = 0
        self.path = error_report_path(job, "csv")
        self.handle = self.path.open("w", encoding="utf-8-sig", newline="")
        self.writer = csv.writer(self.handle)
        self.writer.writerow(report_headers())

    def add(self, row: int | str, header: str, value: str, message: str) -> None:
        self.count += 1
        self.writer.writerow([escape_formula(v) for v in (row, header, value, message)])

    def close(self) -> None:
        self.handle.close()
        _report_to_xlsx(self.path, error_report_path(self.job, "xlsx"))


def report_headers() -> list[str]:
    return [_("row"), _("column"), _("value"), _("problem")]


def _report_to_xlsx(source: Path, target: Path) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    with source.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.reader(handle):
            sheet.append(row)  # already formula-escaped
    workbook.save(target)


def _missing_columns(kind: Kind, index: dict[str, int], language: str) -> list[str]:
    return [column.header(language) for column in kind.columns if column.required and column.key not in index]


def _actor_of(job: ImportJob) -> Any:
    return job.created_by if job.created_by_id else SYSTEM


def run_import(job_id: int, progress: Callable[[int, int, int], None] | None = None) -> ImportJob:
    """Run a queued job to its end; never raises for a bad file or bad rows (they are the job's outcome)."""
    job = ImportJob.objects.get(pk=job_id)
    if job.status != ImportJob.Status.QUEUED:
        return job
    job.status = ImportJob.Status.RUNNING
    job.save(update_fields=["status"])
    with translation.override(job.language):
        report = _ErrorReport(job)
        try:
            if job.kind == geojson.KIND:
                _run_geojson(job, report, progress)
            else:
                _run(job, report, progress)
            job.status = ImportJob.Status.DONE
        except (readers.FileRefused, geojson.GeoJSONRefused) as exc:
            job.status, job.message = ImportJob.Status.FAILED, str(exc)
            report.add("", "", "", str(exc))
        finally:
            report.close()
            job.errors_count = report.count
            job.finished_at = timezone.now()
            if job.errors_count or job.mode == ImportJob.Mode.CHECK or job.status == ImportJob.Status.FAILED:
                job.created = job.updated = 0
            job.save()
            progress_path(job).unlink(missing_ok=True)
        if not job.written:
            with transaction.atomic():
                _audit(job)
    return job


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


ERROR_CAP = 10_000


class _TooManyErrors(Exception):
    pass


class _RowByRow:
    """Kinds other than persons: each row through `rows.apply_row` (save_record), in its own savepoint."""

    def __init__(self, kind: Kind, actor: Any, update: bool, report: Any, tick: Callable[[], None]) -> None:
        self.kind, self.actor, self.update, self.report, self.tick = kind, actor, update, report, tick
        self.created = self.updated = self.ok = 0

    def feed(self, number: int, cells: list[Any], index: dict[str, int], seen: dict) -> None:
        try:
            values, _raw = parse_row(self.kind, index, cells)
            identity = match_key(self.kind, values)
            if identity is not None:
                first = seen.setdefault(identity, number)
                if first != number:
                    raise RowInvalid({identity[0]: [_("Also in row %(row)s of this file.") % {"row": first}]})
            with transaction.atomic():
                action = apply_row(self.kind, self.actor, values, self.update)
            self.created += action == "create"
            self.updated += action == "update"
            self.ok += 1
        except RowInvalid as exc:
            self.report(number, exc.errors, cells)
        except NotFound:
            self.report(number, {"": [_("No such record in your area.")]}, cells)
        self.tick()


def _run(job: ImportJob, report: _ErrorReport, progress: Callable[[int, int, int], None] | None) -> None:
    path = upload_path(job)
    readers.check_size(path.stat().st_size)
    kind = get_kind(job.kind)
    actor = _actor_of(job)
    update = job.mode == ImportJob.Mode.UPDATE
    by_key = {column.key: column for column in kind.columns}
    job.rows_total = max(readers.estimate_rows(path, job.file_format) - 1, 0)
    rows = readers.read_rows(path, job.file_format)
    index: dict[str, int] = {}
    headers: list[Any] = []
    seen: dict[tuple[str, str], int] = {}
    done = 0

    def add_errors(number: int, errors: dict[str, list[str]], cells: list[Any]) -> None:
        for key, messages in errors.items():
            column = by_key.get(key)
            position = index.get(key)
            header = text(headers[position]) if column is not None and position is not None else ""
            raw = cells[position] if position is not None and position < len(cells) else None
            for message in messages:
                report.add(number, header, _shown_value(column, raw), message)
        if report.count >= ERROR_CAP:
            raise _TooManyErrors

    def tick() -> None:
        nonlocal done
        done += 1
        if done % PROGRESS_EVERY == 0:
            job.rows_done = done
            _write_progress(job, done, max(job.rows_total, done), report.count)
            if progress:
                progress(done, max(job.rows_total, done), report.count)

    pause = paused_gc() if kind.name == "persons" else contextlib.nullcontext()
    with pause, transaction.atomic():
        importer: Any = None
        try:
            for number, cells in rows:
                if importer is None:
                    headers, index = cells, header_index(kind, cells)
                    missing = _missing_columns(kind, index, job.language)
                    if missing:
                        raise readers.FileRefused(
                            _("The file lacks required columns: %(columns)s.")
                            % {"columns": ", ".join(missing)}
                        )
                    if kind.name == "persons":
                        importer = PersonBulkImport(
                            kind,
                            index,
                            actor,
                            job_id=job.pk,
                            update=update,
                            write=job.mode != ImportJob.Mode.CHECK,
                            report=add_errors,
                            tick=tick,
                        )
                    else:
                        importer = _RowByRow(kind, actor, update, add_errors, tick)
                    continue
                first = cells[0] if cells else ""
                # text() only when the cell might be a notes row: a million calls cost a second.
                if (type(first) is not str or NOTES_MARK in first) and text(first).startswith(NOTES_MARK):
                    continue
                if isinstance(importer, PersonBulkImport):
                    importer.feed(number, cells)
                else:
                    importer.feed(number, cells, index, seen)
            if importer is None:
                raise readers.FileRefused(_("The file has no header row."))
            if isinstance(importer, PersonBulkImport):
                importer.finish()
        except _TooManyErrors:
            report.add(
                "", "", "", _("More than %(count)s errors; the check stopped here.") % {"count": ERROR_CAP}
            )
        created, updated, ok = (importer.created, importer.updated, importer.ok) if importer else (0, 0, 0)
        job.rows_done, job.rows_ok, job.created, job.updated = done, ok, created, updated
        job.rows_total = done
        if report.count or job.mode == ImportJob.Mode.CHECK:
            transaction.set_rollback(True)
        else:
            job.errors_count = 0
            job.status = ImportJob.Status.DONE
            _audit(job)
    if progress:
        progress(done, done, report.count)


def _run_geojson(
    job: ImportJob, report: _ErrorReport, progress: Callable[[int, int, int], None] | None
) -> None:
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

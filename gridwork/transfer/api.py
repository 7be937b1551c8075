"""Imports over the API: upload a file (multipart), follow the job, fetch the error report.

A job is visible only to the user who started it; another user's job answers 404.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile

from gridwork.core.bounds import RecordId
from gridwork.core.errors import NotFound
from gridwork.core.language import active_language_code
from gridwork.transfer import readers, services
from gridwork.transfer.models import ImportJob

router = Router(tags=["imports"])


class ImportJobOut(Schema):
    id: int
    kind: str
    mode: str
    status: str
    rows_total: int
    rows_done: int
    rows_ok: int
    errors_count: int
    created: int
    updated: int
    message: str
    created_at: datetime
    finished_at: datetime | None


def _job_out(job: ImportJob) -> dict[str, Any]:
    data = {name: getattr(job, name) for name in ImportJobOut.model_fields}
    data.update(services.read_progress(job))
    return data


def _own(request: HttpRequest, job_id: int) -> ImportJob:
    job = ImportJob.objects.filter(pk=job_id, created_by_id=request.user.pk).first()
    if job is None:
        raise NotFound("import job")
    return job


@router.post("/imports", response={202: ImportJobOut}, summary="Start an import")
def start(
    request: HttpRequest,
    kind: Form[str],
    file: File[UploadedFile],
    mode: Form[str] = ImportJob.Mode.CHECK,
    valid_from: Form[date | None] = None,
) -> Any:
    if not services.may_import(request.user, kind):
        raise PermissionDenied(_("You may not import into the register."))
    language = active_language_code()
    job = services.start_import(
        request.user, kind, file, file.name or "", mode, language, valid_from=valid_from
    )
    job.refresh_from_db()
    return 202, _job_out(job)


@router.get("/imports/{job_id}", response=ImportJobOut, summary="An import job's status and progress")
def status(request: HttpRequest, job_id: RecordId) -> Any:
    return _job_out(_own(request, job_id))


@router.get("/imports/{job_id}/errors", summary="The error report of an import (format=xlsx or csv)")
def errors(request: HttpRequest, job_id: RecordId, format: str = "csv") -> Any:  # noqa: A002
    job = _own(request, job_id)
    path = services.error_report_path(job, format)
    if format not in readers.FORMATS or not job.finished or not path.exists():
        raise NotFound("error report")
    return FileResponse(path.open("rb"), as_attachment=True, filename=f"import-{job.pk}-errors.{format}")

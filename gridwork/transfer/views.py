"""Import pages: templates to download, the upload form, a job's progress and its error report.

A job is seen only by the user who started it (its report names rows of their upload); anyone
else gets 404, as for a job that does not exist.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from gridwork.accounts.access import REGISTER_CHANGE
from gridwork.accounts.decorators import requires
from gridwork.core.language import active_language_code
from gridwork.transfer import geojson, readers, services
from gridwork.transfer.columns import KINDS, get_kind
from gridwork.transfer.models import ImportJob
from gridwork.transfer.templates_files import template_file


def _valid_from(value: str | None) -> dt.date | None:
    """The boundaries' first day from the form; a malformed date is refused, a blank one means today."""
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise ValidationError(_("Enter a valid date (YYYY-MM-DD).")) from exc


def own_job(request: HttpRequest, pk: int) -> ImportJob:
    job = ImportJob.objects.filter(pk=pk, created_by_id=request.user.pk).first()
    if job is None:
        raise Http404
    return job


@requires(REGISTER_CHANGE)
def imports(request: HttpRequest) -> HttpResponse:
    errors: list[str] = []
    upload = None
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is not None:
            try:
                job = services.start_import(
                    request.user,
                    request.POST.get("kind", ""),
                    upload,
                    upload.name,
                    request.POST.get("mode", ImportJob.Mode.CHECK),
                    active_language_code(),
                    valid_from=_valid_from(request.POST.get("valid_from")),
                )
            except ValidationError as exc:
                errors.extend(exc.messages)
            else:
                return redirect("web:import_job", pk=job.pk)
    language = active_language_code()
    return render(
        request,
        "transfer/imports.html",
        {
            "kinds": [(name, kind.label(language)) for name, kind in KINDS.items()],
            "upload_kinds": [
                *((name, kind.label(language)) for name, kind in KINDS.items()),
                (geojson.KIND, geojson.label(language)),
            ],
            "modes": ImportJob.Mode.choices,
            "jobs": ImportJob.objects.filter(created_by_id=request.user.pk)[:20],
            "errors": errors,
            "missing_file": request.method == "POST" and upload is None,
        },
        status=422 if request.method == "POST" else 200,
    )


@requires(REGISTER_CHANGE)
def import_template(request: HttpRequest, kind: str, file_format: str) -> HttpResponse:
    if file_format not in readers.FORMATS:
        raise Http404
    try:
        spec = get_kind(kind)
    except ValidationError as exc:
        raise Http404 from exc
    content, name, content_type = template_file(spec, file_format, active_language_code())
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@requires(REGISTER_CHANGE)
def import_job(request: HttpRequest, pk: int) -> HttpResponse:
    job = own_job(request, pk)
    return render(
        request,
        "transfer/import_job.html",
        {
            "job": job,
            "progress": services.read_progress(job),
            "kind_label": geojson.label(active_language_code())
            if job.kind == geojson.KIND
            else get_kind(job.kind).label(active_language_code()),
        },
    )


@requires(REGISTER_CHANGE)
def import_errors(request: HttpRequest, pk: int, file_format: str) -> HttpResponse:
    if file_format not in readers.FORMATS:
        raise Http404
    job = own_job(request, pk)
    path = services.error_report_path(job, file_format)
    if not job.finished or not path.exists():
        raise Http404
    return FileResponse(path.open("rb"), as_attachment=True, filename=f"import-{job.pk}-errors.{file_format}")

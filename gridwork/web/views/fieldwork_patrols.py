"""Patrol pages: the phone page of a patrol under way, a patrol's track and findings, and the
daily coverage of a community or street. Thin: reads are scoped by `visible_to`, writes call
gridwork.fieldwork.patrols_services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gridwork.accounts.access import FIELDWORK_PATROL, FIELDWORK_PATROL_VIEW
from gridwork.accounts.decorators import requires
from gridwork.core.bounds import EARLIEST_DATE, LATEST_DATE
from gridwork.core.errors import Conflict
from gridwork.fieldwork import patrols_services as services
from gridwork.fieldwork.patrols_coverage import coverage
from gridwork.fieldwork.patrols_drawing import draw
from gridwork.fieldwork.patrols_models import Patrol, PatrolFinding, PatrolFix, PatrolStatus
from gridwork.web.views.case_forms import category_choices, error_messages, parse_point, request_too_large
from gridwork.web.views.fieldwork_overview import overview_areas

TRACK_DRAWN_UP_TO = 5000  # fixes drawn on a patrol's page (a long day at one every ten seconds)


def _own_open_patrol(user: Any) -> Patrol | None:
    return Patrol.objects.visible_to(user).open().filter(worker_id=user.pk).select_related("grid").first()


def _say_errors(request: HttpRequest, exc: Exception) -> None:
    if isinstance(exc, ValidationError):
        for line in error_messages(exc):
            messages.error(request, line)
    else:
        messages.error(request, str(exc))


@requires(FIELDWORK_PATROL)
@require_GET
def patrol_now(request: HttpRequest) -> HttpResponse:
    """The phone page: start a patrol, or the one under way with its figures and findings."""
    patrol = _own_open_patrol(request.user)
    context: dict[str, Any] = {"patrol": patrol, "grids": services.patrol_grids(request.user)}
    if patrol is not None:
        context["findings"] = list(patrol.findings.all())
        context["categories"] = category_choices(leaves_only=True)
        context["default_category"] = services.DEFAULT_FINDING_CATEGORY
    return render(request, "web/fieldwork/patrol_now.html", context)


@requires(FIELDWORK_PATROL)
@require_POST
def patrol_start(request: HttpRequest) -> HttpResponse:
    grid = request.POST.get("grid", "").strip() or None
    try:
        services.start_patrol(request.user, grid=grid)
    except (ValidationError, Conflict, PermissionDenied) as exc:
        _say_errors(request, exc)
    return redirect("web:patrol_now")


@requires(FIELDWORK_PATROL)
@require_POST
def patrol_end(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        patrol = services.end_patrol(request.user, pk)
    except (ValidationError, Conflict, PermissionDenied) as exc:
        _say_errors(request, exc)
        return redirect("web:patrol_now")
    messages.success(
        request,
        _("Patrol ended: %(km).2f km in %(minutes)d minutes.")
        % {"km": patrol.length_m / 1000, "minutes": patrol.duration.total_seconds() // 60},
    )
    return redirect("web:patrol", pk=patrol.pk)


@requires(FIELDWORK_PATROL)
@require_POST
def patrol_finding_add(request: HttpRequest, pk: int) -> HttpResponse:
    if request_too_large(request, photos=1):
        messages.error(request, _("The upload is too large."))
        return redirect("web:patrol_now")
    lon, lat = parse_point(request.POST)
    try:
        services.add_finding(
            request.user,
            pk,
            note=request.POST.get("note", ""),
            lon=lon,
            lat=lat,
            photo=request.FILES.get("photo"),
        )
    except (ValidationError, Conflict, PermissionDenied) as exc:
        _say_errors(request, exc)
    else:
        messages.success(request, _("Noted."))
    return redirect("web:patrol_now")


@requires(FIELDWORK_PATROL_VIEW)
@require_POST
def patrol_finding_case(request: HttpRequest, pk: int) -> HttpResponse:
    finding = PatrolFinding.objects.visible_to(request.user).filter(pk=pk).values("patrol_id").first()
    if finding is None:
        raise Http404
    try:
        case = services.finding_to_case(request.user, pk, category=request.POST.get("category") or None)
    except (ValidationError, Conflict, PermissionDenied) as exc:
        _say_errors(request, exc)
    else:
        messages.success(request, _("Case %(code)s reported.") % {"code": case.tracking_code})
    if request.POST.get("next") == "now":
        return redirect("web:patrol_now")
    return redirect("web:patrol", pk=finding["patrol_id"])


@requires(FIELDWORK_PATROL_VIEW)
@require_GET
def patrol_finding_photo(request: HttpRequest, pk: int) -> HttpResponse:
    finding = PatrolFinding.objects.visible_to(request.user).filter(pk=pk).first()
    if finding is None or not finding.photo:
        raise Http404
    response = FileResponse(
        finding.photo.open("rb"), content_type=finding.photo_type or "application/octet-stream"
    )
    response["Content-Disposition"] = f'inline; filename="finding-{finding.pk}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@requires(FIELDWORK_PATROL_VIEW)
@require_GET
def patrol_detail(request: HttpRequest, pk: int) -> HttpResponse:
    patrol = Patrol.objects.visible_to(request.user).select_related("grid", "worker").filter(pk=pk).first()
    if patrol is None:
        raise Http404
    fixes = list(
        PatrolFix.objects.filter(patrol=patrol)
        .order_by("at")
        .values_list("lon", "lat", "flag")[:TRACK_DRAWN_UP_TO]
    )
    findings = list(patrol.findings.select_related("case"))
    day = timezone.localdate(patrol.started_at)
    drawing = draw(
        fixes,
        services.grid_boundary(patrol.grid_id, day),
        [(f.lon, f.lat) for f in findings if f.lon is not None],
    )
    numbered = iter(range(1, len(findings) + 1))
    for finding in findings:
        finding.mark = next(numbered) if finding.lon is not None else None
    return render(
        request,
        "web/fieldwork/patrol_detail.html",
        {
            "patrol": patrol,
            "drawing": drawing,
            "findings": findings,
            "minutes": int(patrol.duration.total_seconds() // 60),
            "categories": category_choices(leaves_only=True),
            "default_category": services.DEFAULT_FINDING_CATEGORY,
            "ended": patrol.status == PatrolStatus.ENDED,
        },
    )


def _day(raw: str) -> dt.date | None:
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        return None
    return day if EARLIEST_DATE <= day <= LATEST_DATE else None


@requires(FIELDWORK_PATROL_VIEW)
@require_GET
def patrol_coverage(request: HttpRequest) -> HttpResponse:
    choices = overview_areas(request.user, FIELDWORK_PATROL_VIEW)
    code = request.GET.get("area", "").strip() or (choices[0].code if choices else "")
    raw_day = request.GET.get("day", "").strip()
    day = _day(raw_day) if raw_day else timezone.localdate()
    errors = []
    if day is None:
        errors.append(_("Enter a valid date."))
        day = timezone.localdate()
    found = coverage(request.user, code, day)  # NotFound (404) outside the user's areas
    return render(
        request,
        "web/fieldwork/patrol_coverage.html",
        {
            "coverage": found,
            "choices": choices,
            "day": day,
            "previous_day": day - dt.timedelta(days=1),
            "next_day": day + dt.timedelta(days=1) if day < timezone.localdate() else None,
            "errors": errors,
        },
    )

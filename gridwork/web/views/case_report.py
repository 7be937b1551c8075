"""Reporting a case from the staff pages: the form, and the possible duplicates it offers (HTMX)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from gridwork.accounts.access import CASES_REPORT
from gridwork.accounts.access import has_capability as _has_capability
from gridwork.cases import services
from gridwork.cases.models import (
    Case,
    Category,
    Source,
    Track,
)
from gridwork.core.bounds import parse_id
from gridwork.registry.models import Building
from gridwork.web.views.case_forms import (
    STAFF_SOURCES,
    category_choices,
    error_messages,
    parse_point,
    request_too_large,
)
from gridwork.web.views.cases import case_staff

BUILDING_CHOICES_MAX = 300


def _buildings(user: Any) -> list[Building]:
    return list(
        Building.objects.visible_to(user)
        .only("id", "estate", "number", "address", "grid_id")
        .order_by("estate", "number", "id")[:BUILDING_CHOICES_MAX]
    )


@case_staff
def case_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not _has_capability(user, CASES_REPORT):
        raise PermissionDenied
    values: dict[str, str] = {"source": Source.PATROL}
    errors: list[str] = []
    if request.method == "POST":
        if request_too_large(request, photos=9):
            errors.append(_("The upload is too large."))
        else:
            post = request.POST
            values = {key: post.get(key, "").strip() for key in post if key != "csrfmiddlewaretoken"}
            lon, lat = parse_point(post)
            source = values.get("source") if values.get("source") in STAFF_SOURCES else Source.PATROL
            try:
                case = services.report_case(
                    user,
                    category=values.get("category", ""),
                    title=values.get("title", ""),
                    description=values.get("description", "")[:4000],
                    source=source,
                    lon=lon,
                    lat=lat,
                    building_id=values.get("building") or None,
                    address=values.get("address", ""),
                    track=values.get("track") or None,
                    photos=request.FILES.getlist("photos"),
                )
            except ValidationError as exc:
                errors = error_messages(exc)
            except PermissionDenied as exc:
                errors = [str(exc) or _("You may not report cases here.")]
            else:
                messages.success(request, _("Case %(code)s reported.") % {"code": case.tracking_code})
                return redirect("web:case", pk=case.pk)
    return render(
        request,
        "web/cases/new.html",
        {
            "values": values,
            "errors": errors,
            "categories": category_choices(leaves_only=True),
            "tracks": Track.choices,
            "sources": [(s, Source(s).label) for s in STAFF_SOURCES],
            "buildings": _buildings(user),
        },
        status=422 if errors else 200,
    )


@case_staff
@require_GET
def case_duplicates(request: HttpRequest) -> HttpResponse:
    """Open cases of the same category near the point, for the report form (HTMX partial)."""
    user = request.user
    category = (
        Category.objects.active().leaves().filter(code=(request.GET.get("category") or "")[:20]).first()
    )
    lon, lat = parse_point(request.GET)
    building_id = parse_id(request.GET.get("building"))
    if lon is None and building_id is not None:
        building = Building.objects.visible_to(user).filter(pk=building_id).only("lon", "lat").first()
        if building is not None and building.lon is not None:
            lon, lat = str(building.lon), str(building.lat)
    try:
        lon_f, lat_f = (float(lon), float(lat)) if lon is not None and lat is not None else (None, None)
    except ValueError:
        lon_f = lat_f = None
    found: list[Case] = []
    if category is not None and lon_f is not None and lat_f is not None:
        ids = [c.pk for c in services.find_possible_duplicates(category, lon_f, lat_f)]
        visible = Case.objects.visible_to(user).select_related("category").in_bulk(ids)
        found = [visible[pk] for pk in ids if pk in visible]
    return render(
        request,
        "web/cases/partials/duplicates.html",
        {"duplicates": found, "asked": category is not None and lon_f is not None},
    )

"""Open311 GeoReport v2: services, service definitions, requests (read and post), tokens.

Choices made (README.md beside this file says more):
- The services are the active leaf categories; service_code is the category code. No category asks
  for extra attributes, so every definition has an empty attribute list (metadata false).
- api_key (needed to POST a request) is a Gridwork API token (`gridwork token USER NAME`) of a
  dedicated account for the client system, holding no role: the case is then reported as from
  source "open311" on the category's default track and routed like a resident's report.
- Reading is open, as the spec intends, but shows only the requests that came in through Open311:
  cases reported by staff or residents by other ways stay behind the scoped API. The reporter's
  name, phone and e-mail are never shown.
- A request must carry lat and long: an address alone cannot be placed in a grid here.
- Gridwork's statuses map to open (every open status) and closed (closed, rejected, merged);
  status_notes is the status in words (a note addressed to the resident is for their tracking page);
  expected_datetime is the case's overall deadline; agency_responsible the holding department,
  else the category's handling department.
- What a public board may show, and no more: category, status, dates, and the place as its grid
  (address is the grid's name, lat/long the centre of the grid's boundary). The description, the
  address and the point a resident gave may be about another person, so they are never published;
  description is the text a moderator published for the public (services.publish_public_text), else empty.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from gridwork.accounts.services import user_for_token
from gridwork.areas.models import AreaBoundary
from gridwork.cases import services
from gridwork.cases.models import FINAL_STATUSES, Case, CaseEvent, Category, Source, Status
from gridwork.cases.open311.render import FORMATS, Open311Error, error_response, respond, respond_document
from gridwork.core.bounds import parse_id
from gridwork.core.errors import NotFound

DEFAULT_WINDOW = dt.timedelta(days=90)
MAX_REQUESTS = 1000
# Report fields named as the spec names them, so a client can tell which parameter was wrong.
SPEC_FIELD = {
    "category": "service_code",
    "location": "lat/long",
    "reporter_phone": "phone",
    "title": "description",
}
View = Callable[..., HttpResponse]


def open311_view(rule: str, methods: tuple[str, ...] = ("GET",)) -> Callable[[View], View]:
    """Checks the format suffix and the method, and answers every error in the spec's format."""

    def decorator(view: View) -> View:
        @csrf_exempt  # machine clients; POST is authorised by its api_key, not by a cookie
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, fmt: str, **kwargs: Any) -> HttpResponse:
            try:
                if fmt not in FORMATS:
                    raise Open311Error(404, _("Unknown format: use .json or .xml."))
                if request.method not in methods:
                    raise Open311Error(405, _("Method not allowed."))
                return view(request, *args, fmt=fmt, **kwargs)
            except Open311Error as exc:
                return error_response(fmt, exc)
            except NotFound:
                return error_response(fmt, Open311Error(404, _("Not found.")))
            except PermissionDenied as exc:
                return error_response(fmt, Open311Error(403, str(exc) or _("You may not do this.")))
            except ValidationError as exc:
                return error_response(fmt, Open311Error(400, *_descriptions(exc)))

        wrapper.access_rule = rule  # type: ignore[attr-defined]
        return wrapper

    return decorator


def _descriptions(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [
            f"{SPEC_FIELD.get(field, field)}: {message}"
            for field, messages in exc.message_dict.items()
            for message in messages
        ]
    return list(exc.messages)


# --- services ----------------------------------------------------------------------------------


def _service(category: Category) -> dict[str, Any]:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.name,
        "metadata": False,
        "type": "realtime",
        "keywords": "",
        "group": category.parent.name if category.parent_id else "",
    }


@open311_view("public")
def service_list(request: HttpRequest, fmt: str) -> HttpResponse:
    categories = Category.objects.active().leaves().select_related("parent").order_by("code")
    return respond(fmt, [_service(c) for c in categories], "services", "service")


@open311_view("public")
def service_definition(request: HttpRequest, service_code: str, fmt: str) -> HttpResponse:
    if not Category.objects.active().leaves().filter(code=service_code).exists():
        raise Open311Error(404, _("Unknown service_code."))
    return respond_document(fmt, "service_definition", {"service_code": service_code, "attributes": []})


# --- requests ----------------------------------------------------------------------------------


def _iso(value: dt.datetime | None) -> str | None:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def _status_notes(case: Case) -> str:
    # The status in words only. A note addressed to the resident (feedback, rejection) may name
    # them or a neighbour; it is theirs to read by their tracking code, not the public board's.
    return str(Status(case.status).label)


def open311_status(status: str) -> str:
    return "closed" if status in FINAL_STATUSES else "open"


def _grid_centres(cases: list[Case]) -> dict[str, tuple[float, float]]:
    """(lat, long) of the centre of each case's grid, as its boundary is drawn today."""
    codes = {case.grid_id for case in cases}
    boundaries = AreaBoundary.objects.valid_on(timezone.localdate()).filter(area__code__in=codes)
    return {
        code: (round((min_lat + max_lat) / 2, 6), round((min_lon + max_lon) / 2, 6))
        for code, min_lat, max_lat, min_lon, max_lon in boundaries.values_list(
            "area__code", "min_lat", "max_lat", "min_lon", "max_lon"
        )
    }


def _rows(cases: list[Case]) -> list[dict[str, Any]]:
    centres = _grid_centres(cases)
    return [_request_row(case, centres.get(case.grid_id)) for case in cases]


def _request_row(case: Case, centre: tuple[float, float] | None) -> dict[str, Any]:
    lat, lon = centre if centre is not None else (None, None)
    return {
        "service_request_id": str(case.pk),
        "status": open311_status(case.status),
        "status_notes": _status_notes(case),
        "service_name": case.category.name,
        "service_code": case.category.code,
        "description": case.public_text,
        "agency_responsible": case.holder_department or case.category.department,
        "service_notice": "",
        "requested_datetime": _iso(case.created_at),
        "updated_datetime": _iso(case.updated_at),
        "expected_datetime": _iso(case.deadline),
        "address": case.grid.name,
        "address_id": "",
        "zipcode": "",
        "lat": lat,
        "long": lon,
        "media_url": "",
    }


def _published() -> QuerySet[Case]:
    events = CaseEvent.objects.order_by("at", "id")
    return (
        Case.objects.filter(source=Source.OPEN311)
        .select_related("category", "grid")
        .prefetch_related(Prefetch("events", queryset=events))
    )


def _moment(request: HttpRequest, name: str) -> dt.datetime | None:
    raw = (request.GET.get(name) or "").strip()
    if not raw:
        return None
    try:
        value = parse_datetime(raw)
    except ValueError:
        value = None
    if value is None:
        raise Open311Error(
            400, _("%(name)s must be a W3C date and time, e.g. 2025-01-01T00:00:00Z.") % {"name": name}
        )
    return value if timezone.is_aware(value) else timezone.make_aware(value)


def _list(raw: str) -> list[str]:
    return [part.strip() for part in raw.split(",") if part.strip()]


def _filtered(request: HttpRequest) -> QuerySet[Case]:
    cases = _published()
    ids = _list(request.GET.get("service_request_id", ""))
    if ids:
        # The spec: a list of ids overrides every other filter.
        keys = [parse_id(part) for part in ids]
        if None in keys:
            raise Open311Error(400, _("service_request_id must be a comma-separated list of ids."))
        return cases.filter(pk__in=keys)
    codes = _list(request.GET.get("service_code", ""))
    if codes:
        cases = cases.filter(category__code__in=codes)
    statuses = _list(request.GET.get("status", ""))
    if any(s not in ("open", "closed") for s in statuses):
        raise Open311Error(400, _("status must be open or closed."))
    if statuses == ["open"]:
        cases = cases.open()
    elif statuses == ["closed"]:
        cases = cases.filter(status__in=FINAL_STATUSES)
    start, end = _moment(request, "start_date"), _moment(request, "end_date")
    if start is None and end is None:
        end = timezone.now()
    if start is None:
        start = end - DEFAULT_WINDOW
    if end is None:
        end = start + DEFAULT_WINDOW
    if end < start:
        raise Open311Error(400, _("end_date must not come before start_date."))
    if end - start > DEFAULT_WINDOW:
        raise Open311Error(400, _("start_date and end_date may not span more than 90 days."))
    return cases.filter(created_at__gte=start, created_at__lte=end)


def _float(request: HttpRequest, name: str) -> float | None:
    raw = (request.POST.get(name) or "").strip()
    if not raw:
        return None
    try:
        return float(raw)
    except ValueError as exc:
        raise Open311Error(400, _("%(name)s must be a number.") % {"name": name}) from exc


def _client(request: HttpRequest) -> Any:
    raw = (request.POST.get("api_key") or request.GET.get("api_key") or "").strip()
    if not raw:
        raise Open311Error(403, _("api_key is required to post a request."))
    user = user_for_token(raw)
    if user is None:
        raise Open311Error(403, _("api_key is not valid."))
    return user


def _post_request(request: HttpRequest, fmt: str) -> HttpResponse:
    client = _client(request)
    data = request.POST
    lat, lon = _float(request, "lat"), _float(request, "long")
    if lat is None or lon is None:
        if (data.get("address_string") or data.get("address_id") or "").strip():
            raise Open311Error(
                400, _("lat/long: an address alone cannot be located here; send lat and long.")
            )
        raise Open311Error(400, _("lat/long: the location is required."))
    description = (data.get("description") or "").strip()
    code = (data.get("service_code") or "").strip()
    if not code:
        raise Open311Error(400, _("service_code: this field is required."))
    category = Category.objects.filter(code=code).first()
    title = description[:50] or (category.name if category else code)
    media_url = (data.get("media_url") or "").strip()[:500]
    name = " ".join(
        part
        for part in ((data.get("first_name") or "").strip(), (data.get("last_name") or "").strip())
        if part
    )
    case = services.report_case(
        client,
        category=code,
        title=title,
        description=description,
        source=Source.OPEN311,
        lon=lon,
        lat=lat,
        address=(data.get("address_string") or "").strip(),
        reporter_name=name,
        reporter_phone=(data.get("phone") or "").strip(),
        # The client's photo stays where it is: staff follow the link, the server fetches nothing.
        note=f"media_url: {media_url}" if media_url else "",
    )
    row = {
        "service_request_id": str(case.pk),
        "token": case.tracking_code,
        "service_notice": "",
        "account_id": None,
    }
    return respond(fmt, [row], "service_requests", "request", status=201)


@open311_view("public; POST open311_api_key", methods=("GET", "POST"))
def requests_view(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _post_request(request, fmt)
    cases = _filtered(request).order_by("-created_at", "-id")[:MAX_REQUESTS]
    return respond(fmt, _rows(list(cases)), "service_requests", "request")


@open311_view("public")
def request_detail(request: HttpRequest, request_id: str, fmt: str) -> HttpResponse:
    case = _published().filter(pk=parse_id(request_id) or 0).first()
    if case is None:
        raise NotFound(Case._meta.verbose_name)
    return respond(fmt, _rows([case]), "service_requests", "request")


@open311_view("public")
def token_view(request: HttpRequest, token: str, fmt: str) -> HttpResponse:
    case = services.get_by_tracking_code(token)
    if case.source != Source.OPEN311:
        raise NotFound(Case._meta.verbose_name)
    row = {"service_request_id": str(case.pk), "token": case.tracking_code}
    return respond(fmt, [row], "service_requests", "request")

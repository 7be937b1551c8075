"""Residents without an account: report a problem, follow it by its tracking code, rate the result.

Deliberately open (auth=None): each operation is listed with its reason in
gridwork/api/tests/test_every_route_has_auth.py, and its URL is labelled "public" by
gridwork/api/urls.py through PUBLIC_OPERATION_NAMES. What they show carries no personal data
(services.public_timeline); writes are lightly rate-limited per client address.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status as HttpStatus

from gridwork.cases import public_limits, services
from gridwork.cases.api_schemas import PublicCaseOut, PublicReportIn, PublicReportOut, RatingIn
from gridwork.cases.models import Source, Status

router = Router(tags=["residents"])

# The view function names, which ninja uses as the URL names.
PUBLIC_OPERATION_NAMES = frozenset({"public_report", "public_case", "public_rating"})


PHOTO = File(None, description="one JPEG, PNG or WebP image")


class DetailOut(Schema):
    detail: str


def _plain(entry: dict[str, Any]) -> dict[str, Any]:
    # The labels are lazy translations; the response wants them as text in the request's language.
    return {**entry, "action_label": str(entry["action_label"]), "status_label": str(entry["status_label"])}


def _too_many() -> HttpStatus:
    return HttpStatus(429, {"detail": _("Too many requests from this address; try again later.")})


@router.post(
    "/public/reports",
    auth=None,
    response={201: PublicReportOut, 429: DetailOut},
    summary="Report a problem without an account (multipart; contact required, never shown)",
)
def public_report(
    request: HttpRequest, payload: Form[PublicReportIn], photo: UploadedFile | None = PHOTO
) -> Any:
    if not public_limits.allow(request, "report"):
        return _too_many()
    case = services.report_case(
        None,
        category=payload.category,
        title=payload.title or payload.description[:50],
        description=payload.description,
        source=Source.RESIDENT,
        lon=payload.lon,
        lat=payload.lat,
        address=payload.address,
        reporter_name=payload.name,
        reporter_phone=payload.phone,
        photos=[photo] if photo is not None else [],
    )
    return HttpStatus(
        201,
        {
            "tracking_code": case.tracking_code,
            "status": case.status,
            "status_label": str(Status(case.status).label),
        },
    )


@router.get(
    "/public/cases/{tracking_code}",
    auth=None,
    response=PublicCaseOut,
    summary="Follow a case by its tracking code (no personal data)",
)
def public_case(request: HttpRequest, tracking_code: str) -> Any:
    case = services.get_by_tracking_code(tracking_code)
    return {
        "tracking_code": case.tracking_code,
        "category": case.category.code,
        "category_name": case.category.name,
        "status": case.status,
        "status_label": str(Status(case.status).label),
        "created_at": case.created_at,
        "closed_at": case.closed_at,
        "rating": case.rating,
        "can_rate": case.status == Status.CLOSED and case.rating is None,
        "timeline": [_plain(entry) for entry in services.public_timeline(case)],
    }


@router.post(
    "/public/cases/{tracking_code}/rating",
    auth=None,
    response={200: PublicCaseOut, 429: DetailOut},
    summary="Rate the result of a closed case, 1 to 5, once",
)
def public_rating(request: HttpRequest, tracking_code: str, payload: RatingIn) -> Any:
    if not public_limits.allow(request, "rating"):
        return _too_many()
    services.rate_case(None, tracking_code, payload.rating, payload.comment)
    return public_case(request, tracking_code)

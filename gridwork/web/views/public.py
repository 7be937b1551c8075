"""Resident pages, without an account: report a problem, follow it by its tracking code, rate it.

Nothing here shows personal data: the public timeline is services.public_timeline (what happened and
when), and a case is found only by its random tracking code.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gridwork.accounts.decorators import public
from gridwork.cases import services
from gridwork.cases.errors import TransitionNotAllowed
from gridwork.cases.models import Case, Source, Status
from gridwork.core.errors import NotFound
from gridwork.web.views.case_forms import category_choices, error_messages, parse_point, request_too_large

DESCRIPTION_MAX = 2000
TITLE_LENGTH = 60
SESSION_REPORTED = "gridwork_reported_code"


def _title_from(description: str) -> str:
    first_line = description.strip().splitlines()[0] if description.strip() else ""
    return first_line[:TITLE_LENGTH]


@public
def report(request: HttpRequest) -> HttpResponse:
    values: dict[str, str] = {}
    errors: list[str] = []
    if request.method == "POST":
        if request_too_large(request, photos=1):
            errors.append(_("The upload is too large."))
        else:
            post = request.POST
            values = {
                key: post.get(key, "").strip()
                for key in ("category", "description", "address", "lon", "lat", "name", "phone")
            }
            lon, lat = parse_point(post)
            photos = request.FILES.getlist("photos")[:2]  # the service refuses a second one below
            description = values["description"][:DESCRIPTION_MAX]
            if not description:
                errors.append(_("Description: describe the problem."))
            elif len(photos) > 1:
                errors.append(_("Photos: at most one photo."))
            else:
                try:
                    case = services.report_case(
                        request.user,
                        category=values["category"],
                        title=_title_from(description),
                        description=description,
                        source=Source.RESIDENT,
                        lon=lon,
                        lat=lat,
                        address=values["address"],
                        reporter_name=values["name"][:50],
                        reporter_phone=values["phone"][:20],
                        photos=photos,
                    )
                except ValidationError as exc:
                    errors = error_messages(exc)
                except PermissionDenied as exc:
                    errors = [str(exc)]
                else:
                    # The code is shown once on the next page (not put in its URL's history by a redirect
                    # chain of ours); the resident keeps it or follows the link.
                    request.session[SESSION_REPORTED] = case.tracking_code
                    return redirect("web:public_reported")
    return render(
        request,
        "web/public/report.html",
        {"values": values, "errors": errors, "categories": category_choices(leaves_only=True)},
        status=422 if errors else 200,
    )


@public
def reported(request: HttpRequest) -> HttpResponse:
    code = request.session.get(SESSION_REPORTED)
    if not code:
        return redirect("web:public_report")
    return render(request, "web/public/reported.html", {"code": code})


@public
def track(request: HttpRequest) -> HttpResponse:
    code = (request.GET.get("code") or "").strip().upper().replace(" ", "")[:16]
    if code:
        if code.isalnum():
            return redirect("web:public_track_case", code=code)
        messages.error(request, _("A tracking code has only letters and digits."))
    return render(request, "web/public/track.html")


def _case_or_404(code: str) -> Case:
    try:
        return services.get_by_tracking_code(code)
    except NotFound as exc:
        raise Http404 from exc


@public
def track_case(request: HttpRequest, code: str) -> HttpResponse:
    case = _case_or_404(code)
    return render(
        request,
        "web/public/track_case.html",
        {
            "case": case,
            "status_label": Status(case.status).label,
            "timeline": services.public_timeline(case),
            "may_rate": case.status == Status.CLOSED and case.rating is None,
        },
    )


@public
@require_POST
def rate(request: HttpRequest, code: str) -> HttpResponse:
    case = _case_or_404(code)
    try:
        services.rate_case(
            request.user, case.tracking_code, request.POST.get("rating"), request.POST.get("comment", "")
        )
    except TransitionNotAllowed as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        for line in error_messages(exc):
            messages.error(request, line)
    else:
        messages.success(request, _("Thank you for your rating."))
    return redirect("web:public_track_case", code=case.tracking_code)

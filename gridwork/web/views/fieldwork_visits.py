"""The field pages of part "visits": today's plan, a visit, a memo, a case report, the memo list,
and the installable app's manifest and service worker.

The forms work without JavaScript (they post here and call the services). With it,
`fieldwork_visits.js` keeps each entry in the phone's queue (IndexedDB) with its own time, fix and
id, and sends the queue to the one sync endpoint (`/api/v1/fieldwork/sync`), online or later.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from gridwork.accounts.access import FIELDWORK_VISITS_RECORD, FIELDWORK_VISITS_VIEW
from gridwork.accounts.decorators import public, requires
from gridwork.cases import services as cases
from gridwork.cases.models import Source
from gridwork.core.bounds import parse_id
from gridwork.core.errors import NotFound
from gridwork.fieldwork import visit_services as services
from gridwork.fieldwork.visit_models import Memo, MemoSubject, VisitKind
from gridwork.fieldwork.visit_plan import todays_plan, worker_grids
from gridwork.fieldwork.visit_sync import open_conflicts
from gridwork.registry.models import Person
from gridwork.web.views.case_forms import category_choices, error_messages, parse_point

SERVICE_WORKER = Path(__file__).resolve().parent.parent / "static" / "web" / "fieldwork_visits_sw.js"
MEMOS_SHOWN = 50


def _person(user: Any, raw: Any) -> Person | None:
    pk = parse_id(raw)
    return Person.objects.visible_to(user).filter(pk=pk).first() if pk else None


@requires(FIELDWORK_VISITS_RECORD)
def plan(request: HttpRequest) -> HttpResponse:
    lon, lat = parse_point(request.GET)
    found = todays_plan(request.user, lon=lon, lat=lat)
    return render(
        request,
        "web/fieldwork/plan.html",
        {
            "plan": found,
            "total_km": round(found.total_m / 1000, 1),
            "conflicts": open_conflicts(request.user).count(),
        },
    )


def _entry_form(request: HttpRequest, template: str, extra: dict[str, Any]) -> HttpResponse:
    context = {
        "kinds": VisitKind.choices,
        "subjects": MemoSubject.choices,
        "grids": worker_grids(request.user),
        **extra,
    }
    return render(request, template, context)


@requires(FIELDWORK_VISITS_RECORD)
def visit_form(request: HttpRequest) -> HttpResponse:
    data = request.POST if request.method == "POST" else request.GET
    person = _person(request.user, data.get("person_id"))
    if request.method == "POST":
        lon, lat = parse_point(request.POST)
        try:
            services.record_visit(
                request.user,
                person_id=person.pk if person else data.get("person_id") or None,
                grid=data.get("grid") or None,
                kind=data.get("kind") or VisitKind.HOME,
                findings=data.get("findings", ""),
                needs=data.get("needs", ""),
                register_note=data.get("register_note", ""),
                next_visit_on=data.get("next_visit_on") or None,
                about_case_id=data.get("about_case_id") or None,
                lon=lon,
                lat=lat,
            )
        except (ValidationError, services.VisitConflict, PermissionDenied) as exc:
            problems = error_messages(exc) if isinstance(exc, ValidationError) else [str(exc)]
            return _entry_form(
                request,
                "web/fieldwork/visit.html",
                {"person": person, "values": data, "errors": problems},
            )
        messages.success(request, _("The visit is recorded."))
        return redirect("web:fieldwork_plan")
    return _entry_form(request, "web/fieldwork/visit.html", {"person": person, "values": data})


@requires(FIELDWORK_VISITS_RECORD)
def memo_form(request: HttpRequest) -> HttpResponse:
    data = request.POST if request.method == "POST" else request.GET
    person = _person(request.user, data.get("person_id"))
    if request.method == "POST":
        lon, lat = parse_point(request.POST)
        try:
            services.write_memo(
                request.user,
                text=data.get("text", ""),
                subject=data.get("subject") or MemoSubject.RESIDENT,
                person_id=person.pk if person else data.get("person_id") or None,
                grid=data.get("grid") or None,
                place=data.get("place", ""),
                lon=lon,
                lat=lat,
                photo=request.FILES.get("photo"),
            )
        except (ValidationError, services.VisitConflict, PermissionDenied) as exc:
            problems = error_messages(exc) if isinstance(exc, ValidationError) else [str(exc)]
            return _entry_form(
                request, "web/fieldwork/memo.html", {"person": person, "values": data, "errors": problems}
            )
        messages.success(request, _("The memo is saved."))
        return redirect("web:fieldwork_memos")
    return _entry_form(request, "web/fieldwork/memo.html", {"person": person, "values": data})


@requires(FIELDWORK_VISITS_RECORD)
def report_form(request: HttpRequest) -> HttpResponse:
    data = request.POST if request.method == "POST" else request.GET
    context: dict[str, Any] = {"categories": category_choices(leaves_only=True), "values": data}
    if request.method == "POST":
        lon, lat = parse_point(request.POST)
        try:
            case = cases.report_case(
                request.user,
                category=data.get("category", ""),
                title=data.get("title", ""),
                description=data.get("description", ""),
                address=data.get("address", ""),
                source=Source.PATROL,
                lon=lon,
                lat=lat,
            )
        except (ValidationError, PermissionDenied) as exc:
            context["errors"] = error_messages(exc) if isinstance(exc, ValidationError) else [str(exc)]
            return render(request, "web/fieldwork/report.html", context)
        messages.success(request, _("Case %(code)s is reported.") % {"code": case.tracking_code})
        return redirect("web:fieldwork_plan")
    return render(request, "web/fieldwork/report.html", context)


@requires(FIELDWORK_VISITS_VIEW)
def memo_list(request: HttpRequest) -> HttpResponse:
    memos = (
        Memo.objects.visible_to(request.user)
        .select_related("person", "household", "building", "became_case")
        .order_by("-written_at", "-id")[:MEMOS_SHOWN]
    )
    return render(
        request,
        "web/fieldwork/memos.html",
        {"memos": memos, "categories": category_choices(leaves_only=True)},
    )


@require_POST
@requires(FIELDWORK_VISITS_RECORD)
def memo_become(request: HttpRequest, pk: int, what: str) -> HttpResponse:
    try:
        if what == "case":
            memo = services.memo_to_case(request.user, pk, category=request.POST.get("category", ""))
            messages.success(request, _("The memo became case %(code)s.") % {"code": memo.became_case})
        elif what == "visit":
            services.memo_to_visit(request.user, pk)
            messages.success(request, _("The memo is recorded as a visit."))
        elif what == "register":
            services.memo_to_register_note(request.user, pk, note=request.POST.get("note", ""))
            messages.success(request, _("The register update is noted."))
        else:
            raise NotFound
    except ValidationError as exc:
        for line in error_messages(exc):
            messages.error(request, line)
    return redirect("web:fieldwork_memos")


@public
@never_cache
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker, served from /fieldwork/ so its scope covers the field pages (a script
    under /static/ could only control /static/). Public: it holds no data, and the browser fetches
    it again outside any page's session."""
    response = HttpResponse(SERVICE_WORKER.read_text(encoding="utf-8"), content_type="text/javascript")
    response["Service-Worker-Allowed"] = reverse("web:fieldwork_plan")
    return response


@public
def manifest(request: HttpRequest) -> HttpResponse:
    start = reverse("web:fieldwork_plan")
    body = {
        "name": _("Gridwork field work"),
        "short_name": _("Field work"),
        "start_url": start,
        "scope": start,
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#1f5f8b",
        "icons": [{"src": static("web/favicon.svg"), "sizes": "any", "type": "image/svg+xml"}],
    }
    return HttpResponse(json.dumps(body, ensure_ascii=False), content_type="application/manifest+json")

"""Browsing the area tree: an area with its children and counts, and the register lists of an area."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from gridwork.accounts.access import AREAS_VIEW, REGISTER_VIEW, can
from gridwork.areas.models import Area, Level
from gridwork.registry import stats
from gridwork.registry.models import Building, FacilityObject, Organization, Person
from gridwork.web.access import requires
from gridwork.web.breadcrumbs import area_and_trail
from gridwork.web.pagination import paginate

SEARCH_MAX = 50


@requires(AREAS_VIEW)
def area_detail(request: HttpRequest, code: str) -> HttpResponse:
    user = request.user
    area, breadcrumb = area_and_trail(user, code, include_self=False)
    reads_register = can(user, REGISTER_VIEW, area.code)
    children = list(Area.objects.visible_to(user).filter(parent=area))
    child_counts = stats.child_counts(area.code, len(area.code) + 3) if reads_register and children else {}
    context: dict[str, Any] = {
        "area": area,
        "breadcrumb": breadcrumb,
        "reads_register": reads_register,
        "counts": stats.area_counts(area.code) if reads_register else None,
        "children": [{"area": child, "counts": child_counts.get(child.code, {})} for child in children],
        "is_grid": area.level == Level.GRID,
    }
    if area.level == Level.GRID:
        context["buildings"] = paginate(request, Building.objects.visible_to(user).filter(grid_id=area.code))
    return render(request, "web/area.html", context)


def _search(request: HttpRequest) -> str:
    return (request.GET.get("q") or "").strip()[:SEARCH_MAX]


@requires(REGISTER_VIEW)
def area_people(request: HttpRequest, code: str) -> HttpResponse:
    area, breadcrumb = area_and_trail(request.user, code)
    people = Person.objects.visible_to(request.user).in_area(area.code)
    query = _search(request)
    if query:
        people = people.filter(name__contains=query)
    page = paginate(
        request,
        people.only("id", "name", "sex", "birth_date", "id_number", "phone", "status", "relation", "grid_id"),
        # Above a grid the list is long: picking the page by key first is cheaper (see paginate).
        by_key=area.level != Level.GRID,
    )
    context = {"area": area, "page": page, "q": query, "breadcrumb": breadcrumb}
    # A search typed into the box swaps only the results (HTMX); a plain request gets the page.
    template = "web/partials/people_results.html" if request.htmx else "web/area_people.html"
    return render(request, template, context)


@requires(REGISTER_VIEW)
def area_organisations(request: HttpRequest, code: str) -> HttpResponse:
    area, breadcrumb = area_and_trail(request.user, code)
    orgs = Organization.objects.visible_to(request.user).in_area(area.code)
    query = _search(request)
    if query:
        orgs = orgs.filter(name__contains=query)
    return render(
        request,
        "web/area_organisations.html",
        {
            "area": area,
            "page": paginate(request, orgs),
            "q": query,
            "breadcrumb": breadcrumb,
        },
    )


@requires(REGISTER_VIEW)
def area_objects(request: HttpRequest, code: str) -> HttpResponse:
    area, breadcrumb = area_and_trail(request.user, code)
    objects = FacilityObject.objects.visible_to(request.user).in_area(area.code)
    return render(
        request,
        "web/area_objects.html",
        {
            "area": area,
            "page": paginate(request, objects),
            "breadcrumb": breadcrumb,
        },
    )

"""Browsing the area tree: an area with its children and counts, and the register lists of an area."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext

from gridwork.accounts.access import AREAS_VIEW, REGISTER_VIEW, can
from gridwork.accounts.decorators import requires
from gridwork.areas.models import Level
from gridwork.core.language import choice_labels
from gridwork.core.masking import mask_id_number, mask_phone
from gridwork.registry import choices, stats
from gridwork.registry.counts import BASE_METRICS
from gridwork.registry.models import Building, FacilityObject, Organization, Person
from gridwork.web.breadcrumbs import area_and_trail, area_trail_and_children
from gridwork.web.links import record_link
from gridwork.web.pagination import paginate
from gridwork.web.templatetags.gridwork_web import age

SEARCH_MAX = 50


@requires(AREAS_VIEW)
def area_detail(request: HttpRequest, code: str) -> HttpResponse:
    user = request.user
    area, breadcrumb, children = area_trail_and_children(user, code)
    reads_register = can(user, REGISTER_VIEW, area.code)
    counts, child_counts = stats.area_and_child_counts(area.code) if reads_register else (None, {})
    context: dict[str, Any] = {
        "area": area,
        "breadcrumb": breadcrumb,
        "reads_register": reads_register,
        "counts": stats.shown(counts),
        "children": [
            {**child, **{m: child_counts.get(child["code"], {}).get(m, 0) for m in BASE_METRICS}}
            for child in children
        ],
        "is_grid": area.level == Level.GRID,
    }
    if area.level == Level.GRID:
        context["buildings"] = paginate(request, Building.objects.visible_to(user).filter(grid_id=area.code))
    return render(request, "web/area.html", context)


def _search(request: HttpRequest) -> str:
    return (request.GET.get("q") or "").strip()[:SEARCH_MAX]


PERSON_ROW_FIELDS = ("id", "name", "sex", "birth_date", "id_number", "phone", "status")


@requires(REGISTER_VIEW)
def area_people(request: HttpRequest, code: str) -> HttpResponse:
    user = request.user
    area, breadcrumb = area_and_trail(user, code)
    query = _search(request)

    people = Person.objects.visible_to(user).in_area(area.code)
    if query:
        people = people.searched(query)
    # The whole area's list counts everyone on its register: the summary kept exact by registry.counts.
    whole_area = not query and can(user, REGISTER_VIEW, area.code)
    total = stats.registered_total(area.code) if whole_area else None
    page = paginate(request, people.values(*PERSON_ROW_FIELDS), total=total)
    rows = PersonRows()
    page.object_list = [rows.shown(row) for row in page.object_list]
    context = {"area": area, "page": page, "q": query, "breadcrumb": breadcrumb}
    # A search typed into the box swaps only the results (HTMX); a plain request gets the page.
    template = "web/partials/people_results.html" if request.htmx else "web/area_people.html"
    return render(request, template, context)


class PersonRows:
    """What a list shows of a person: labels in the request's language, the age, the masked numbers
    (never the numbers themselves)."""

    def __init__(self) -> None:
        self.sexes = choice_labels(choices.Sex)
        self.statuses = choice_labels(choices.PersonStatus)
        self.today = timezone.localdate()
        self.link = record_link("web:person")
        self.years = gettext("%(age)s years")

    def shown(self, row: dict[str, Any]) -> dict[str, Any]:
        return {
            "pk": row["id"],
            "url": self.link(row["id"]),
            "name": row["name"],
            "sex_label": self.sexes.get(row["sex"], row["sex"]),
            "status": row["status"],
            "status_label": self.statuses.get(row["status"], row["status"]),
            "age": age(row["birth_date"], self.today),
            "age_text": self.years % {"age": age(row["birth_date"], self.today)},
            "id_number_masked": mask_id_number(row["id_number"]),
            "phone_masked": mask_phone(row["phone"]),
        }


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

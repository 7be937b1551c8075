"""A building with its houses and households, a household with its members, a person.

ID numbers, phones and birth dates are masked; an audited reveal shows them in its one answer
(a reload masks them again).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from gridwork.accounts.access import REGISTER_REVEAL, REGISTER_VIEW, can
from gridwork.accounts.decorators import requires, second_factor_verified
from gridwork.areas.models import Area
from gridwork.registry import services as registry
from gridwork.registry.models import Building, House, Household, Organization, Person
from gridwork.registry.reading import open_record
from gridwork.web.breadcrumbs import trail
from gridwork.web.forms import RevealForm
from gridwork.web.pagination import paginate


def _first_visible(model: type, user: Any, pk: Any) -> Any:
    """A related record for display, or None when it is empty or outside the user's scope."""
    if pk is None:
        return None
    return model.objects.visible_to(user).filter(pk=pk).first()


def _visible_grid(user: Any, code: str) -> Area | None:
    return Area.objects.visible_to(user).filter(code=code).first()


@requires(REGISTER_VIEW)
def building_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    building = registry.get_visible(Building, user, pk)
    page = paginate(request, House.objects.visible_to(user).filter(building=building))
    households = list(Household.objects.visible_to(user).filter(house_id__in=[h.pk for h in page]))
    heads = Person.objects.visible_to(user).filter(pk__in=[hh.head_id for hh in households if hh.head_id])
    head_names = dict(heads.values_list("pk", "name"))
    by_house: dict[int, list[dict[str, Any]]] = {}
    for hh in households:
        by_house.setdefault(hh.house_id, []).append({"household": hh, "head": head_names.get(hh.head_id)})
    return render(
        request,
        "web/building.html",
        {
            "building": building,
            "breadcrumb": trail(user, building.grid_id),
            "company": _first_visible(Organization, user, building.property_company_id),
            "head": _first_visible(Person, user, building.head_id),
            "page": page,
            "rows": [{"house": house, "households": by_house.get(house.pk, [])} for house in page],
        },
    )


@requires(REGISTER_VIEW)
def household_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    household = open_record(Household, user, pk)
    house = _first_visible(House, user, household.house_id)
    return render(
        request,
        "web/household.html",
        {
            "household": household,
            "breadcrumb": trail(user, household.grid_id),
            "house": house,
            "building": _first_visible(Building, user, house.building_id) if house else None,
            "members": Person.objects.visible_to(user).filter(household=household),
        },
    )


def _person_context(
    request: HttpRequest, person: Person, form: RevealForm | None = None, *, revealed: bool = False
) -> dict[str, Any]:
    user = request.user
    may_reveal = can(user, REGISTER_REVEAL, person.grid_id)
    return {
        "person": person,
        "breadcrumb": trail(user, person.grid_id),
        "revealed": revealed,
        "may_reveal": may_reveal,
        "form": form or RevealForm(),
        "tags": registry.visible_tags(user, person, revealed),
        "household": _first_visible(Household, user, person.household_id),
        "grid": _visible_grid(user, person.grid_id),
    }


@requires(REGISTER_VIEW)
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    # In scope, or opened by break the glass (that one record); the read is in the audit log.
    person = open_record(Person, request.user, pk)
    return render(request, "web/person.html", _person_context(request, person))


@requires(REGISTER_REVEAL)
@second_factor_verified
@require_POST
def person_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    person = registry.get_visible(Person, request.user, pk)
    form = RevealForm(request.POST)
    if form.is_valid():
        try:
            registry.reveal_person(request.user, person.pk, form.cleaned_data["reason"])
        except ValidationError as exc:
            for message in exc.message_dict.get("reason", exc.messages):
                form.add_error("reason", message)
        else:
            context = _person_context(request, person, revealed=True)
            template = "web/partials/person_identity.html" if request.htmx else "web/person.html"
            response = render(request, template, context)
            response["Cache-Control"] = "no-store"  # the full values are in this answer only
            return response
    context = _person_context(request, person, form)
    if request.htmx:
        # htmx swaps only 2xx answers, so a refused reason comes back as 200 with its message.
        return render(request, "web/partials/person_identity.html", context)
    return render(request, "web/person.html", context, status=400)

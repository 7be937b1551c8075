"""The register over the API: scoped reads, masked people, audited reveal, writes through the services.

Every read starts from `Model.objects.visible_to(request.user)`; a record outside it answers 404
like one that does not exist. Writes go through `registry.services.save_record`, which checks
permission, scope and validity and keeps the history.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.pagination import paginate
from ninja.responses import Status

from gridwork.accounts.access import REGISTER_VIEW, has_capability
from gridwork.accounts.permissions import require, require_second_factor
from gridwork.areas.models import Area
from gridwork.core.bounds import MAX_ID, RecordId
from gridwork.core.routers import CappedLimitOffset, get_or_404
from gridwork.registry import services
from gridwork.registry.api_schemas import (
    AreaStatsOut,
    BuildingIn,
    BuildingOut,
    FacilityObjectOut,
    HouseholdDetailOut,
    HouseholdIn,
    HouseholdOut,
    HouseOut,
    KeyGroupOut,
    OrganizationOut,
    PersonDetailOut,
    PersonIn,
    PersonOut,
    PersonPatch,
    RevealIn,
    RevealOut,
)
from gridwork.registry.choices import Sensitivity
from gridwork.registry.models import (
    Building,
    FacilityObject,
    House,
    Household,
    KeyGroup,
    Organization,
    Person,
    PersonTag,
)
from gridwork.registry.reading import log_read
from gridwork.registry.stats import area_counts

router = Router(tags=["register"])

# Query parameters, defined once (ninja reads their metadata from the default). Their types stay
# builtins: under @paginate ninja resolves the annotations in its own module, not this one.
AREA = Query(None, description="only records under this area code (a prefix of their grid code)")
BUILDING = Query(None, ge=1, le=MAX_ID, description="only the houses of this building")
NAME_PART = Query(
    None, max_length=50, description="the beginning of the name (a surname, or more), or a whole ID number"
)
GROUP = Query(None, max_length=30, description="key group code (not a sensitive one)")
STATUS = Query(None, description="living, moved_out or deceased")


def _in_area(qs: QuerySet, area: str | None) -> QuerySet:
    return qs.in_area(area) if area else qs


# --- counts ------------------------------------------------------------------------------


@router.get("/areas/{code}/stats", response=AreaStatsOut, summary="Register counts of an area's subtree")
def area_stats(request: HttpRequest, code: str) -> dict[str, Any]:
    area = get_or_404(Area.objects.visible_to(request.user), code=code)
    # Seeing an area (a department handler does) is not seeing the register counted in it.
    require(request.user, REGISTER_VIEW, area.code)
    counts = area_counts(area.code)
    groups = [
        {
            "code": row["group"].code,
            "name": row["group"].label,
            "kind": row["group"].kind,
            "sensitivity": row["group"].sensitivity,
            "count": row["count"],
        }
        for row in counts["groups"]
    ]
    return {
        "area": area.code,
        "households": counts["households"],
        "people": counts["people"],
        "party_members": counts["party_members"],
        "groups": groups,
    }


# --- buildings and houses ---------------------------------------------------------------


@router.get("/buildings", response=list[BuildingOut], summary="Buildings")
@paginate(CappedLimitOffset)
def list_buildings(request: HttpRequest, area: str | None = AREA) -> Any:
    return _in_area(Building.objects.visible_to(request.user), area)


@router.get("/buildings/{building_id}", response=BuildingOut, summary="One building")
def get_building(request: HttpRequest, building_id: RecordId) -> Any:
    return get_or_404(Building.objects.visible_to(request.user), pk=building_id)


@router.post("/buildings", response={201: BuildingOut}, summary="Register a building")
def create_building(request: HttpRequest, payload: BuildingIn) -> Any:
    building = services.save_record(request.user, Building, payload.model_dump(exclude_unset=True))
    return Status(201, building)


@router.get("/houses", response=list[HouseOut], summary="Houses")
@paginate(CappedLimitOffset)
def list_houses(
    request: HttpRequest,
    building: int | None = BUILDING,
    area: str | None = AREA,
) -> Any:
    qs = _in_area(House.objects.visible_to(request.user), area)
    return qs.filter(building_id=building) if building is not None else qs


@router.get("/houses/{house_id}", response=HouseOut, summary="One house")
def get_house(request: HttpRequest, house_id: RecordId) -> Any:
    return get_or_404(House.objects.visible_to(request.user), pk=house_id)


# --- households ---------------------------------------------------------------------------


def _households(request: HttpRequest) -> QuerySet:
    return Household.objects.visible_to(request.user).select_related("head")


@router.get("/households", response=list[HouseholdOut], summary="Households")
@paginate(CappedLimitOffset)
def list_households(request: HttpRequest, area: str | None = AREA) -> Any:
    return _in_area(_households(request), area)


@router.get(
    "/households/{household_id}", response=HouseholdDetailOut, summary="One household with its members"
)
def get_household(request: HttpRequest, household_id: RecordId) -> Any:
    household = _household(request, household_id)
    log_read(request.user, household)
    return household


def _household(request: HttpRequest, household_id: int) -> Any:
    members = Prefetch("members", queryset=Person.objects.visible_to(request.user), to_attr="visible_members")
    return get_or_404(_households(request).prefetch_related(members), pk=household_id)


@router.post("/households", response={201: HouseholdDetailOut}, summary="Register a household")
def create_household(request: HttpRequest, payload: HouseholdIn) -> Any:
    household = services.save_record(request.user, Household, payload.model_dump(exclude_unset=True))
    return Status(201, _household(request, household.pk))


# --- people -------------------------------------------------------------------------------


def _shown_tags(request: HttpRequest) -> QuerySet:
    """Tags in scope of non-sensitive groups: the only ones a person's record shows."""
    return (
        PersonTag.objects.visible_to(request.user)
        .filter(group__sensitivity__lte=Sensitivity.NORMAL)
        .select_related("group")
    )


def _persons(request: HttpRequest, opening: int | None = None) -> QuerySet:
    """People in scope, each with only its non-sensitive tags attached (one extra query per page);
    with `opening`, that one person, also when opened by break the glass."""
    return Person.objects.visible_to(request.user, opening=opening).prefetch_related(
        Prefetch("tags", queryset=_shown_tags(request), to_attr="shown_tags")
    )


def _with_group(qs: QuerySet, code: str) -> QuerySet:
    group = KeyGroup.objects.filter(code=code).first()
    if group is None:
        return qs.none()
    if group.sensitivity > Sensitivity.NORMAL:
        # A list by a sensitive group would disclose it without a reason or an audit entry.
        raise PermissionDenied(
            _("People cannot be listed by a sensitive group; reveal one person at a time.")
        )
    return qs.filter(Exists(PersonTag.objects.filter(person=OuterRef("pk"), group=group)))


@router.get("/persons", response=list[PersonOut], summary="People (ID numbers and phones masked)")
@paginate(CappedLimitOffset)
def list_persons(
    request: HttpRequest,
    area: str | None = AREA,
    q: str | None = NAME_PART,
    tag: str | None = GROUP,
    status: str | None = STATUS,
) -> Any:
    qs = _in_area(_persons(request), area)
    if q:
        qs = qs.searched(q.strip())
    if tag:
        qs = _with_group(qs, tag)
    if status:
        qs = qs.filter(status=status)
    return qs


@router.get("/persons/{person_id}", response=PersonDetailOut, summary="One person (masked)")
def get_person(request: HttpRequest, person_id: RecordId) -> Any:
    person = get_or_404(_persons(request, opening=person_id), pk=person_id)
    log_read(request.user, person)
    return person


def _person(request: HttpRequest, person_id: int) -> Any:
    return get_or_404(_persons(request), pk=person_id)


@router.post("/persons", response={201: PersonDetailOut}, summary="Register a person")
def create_person(request: HttpRequest, payload: PersonIn) -> Any:
    person = services.save_record(request.user, Person, payload.model_dump(exclude_unset=True))
    return Status(201, _person(request, person.pk))


@router.patch("/persons/{person_id}", response=PersonDetailOut, summary="Change a person")
def update_person(request: HttpRequest, person_id: RecordId, payload: PersonPatch) -> Any:
    services.save_record(request.user, Person, payload.model_dump(exclude_unset=True), pk=person_id)
    return _person(request, person_id)


@router.post(
    "/persons/{person_id}/reveal",
    response=RevealOut,
    summary="The full ID number, phone and all tags, for a stated reason (audited)",
)
def reveal_person(request: HttpRequest, person_id: RecordId, payload: RevealIn) -> Any:
    require_second_factor(request.user)
    return services.reveal_person(request.user, person_id, payload.reason)


# --- organisations, objects, key groups ---------------------------------------------------


@router.get("/organizations", response=list[OrganizationOut], summary="Organisations")
@paginate(CappedLimitOffset)
def list_organizations(request: HttpRequest, area: str | None = AREA) -> Any:
    return _in_area(Organization.objects.visible_to(request.user), area)


@router.get("/organizations/{org_id}", response=OrganizationOut, summary="One organisation")
def get_organization(request: HttpRequest, org_id: RecordId) -> Any:
    return get_or_404(Organization.objects.visible_to(request.user), pk=org_id)


@router.get("/objects", response=list[FacilityObjectOut], summary="Objects (public facilities)")
@paginate(CappedLimitOffset)
def list_objects(request: HttpRequest, area: str | None = AREA) -> Any:
    return _in_area(FacilityObject.objects.visible_to(request.user), area)


@router.get("/objects/{object_id}", response=FacilityObjectOut, summary="One object")
def get_object(request: HttpRequest, object_id: RecordId) -> Any:
    return get_or_404(FacilityObject.objects.visible_to(request.user), pk=object_id)


@router.get("/key-groups", response=list[KeyGroupOut], summary="The key-people groups")
def list_key_groups(request: HttpRequest) -> Any:
    # A code list, not register data; still only for those who read the register.
    if not has_capability(request.user, REGISTER_VIEW):
        return []
    return KeyGroup.objects.all()

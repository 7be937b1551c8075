"""The register's services: every write checks permission and scope, validates the whole record,
saves nothing on error, and keeps its history."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.utils import translation

from gridwork.areas.models import Area
from gridwork.conftest import GRID_A1, GRID_A2, GRID_B1, GRID_ORIGINS, District, make_id
from gridwork.core import audit
from gridwork.core.errors import NotFound
from gridwork.core.models import AuditEvent, RecordHistory
from gridwork.core.system import SYSTEM
from gridwork.registry import services
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
from gridwork.registry.signals import register_changed

A1_LON, A1_LAT = GRID_ORIGINS[GRID_A1]
A2_LON, A2_LAT = GRID_ORIGINS[GRID_A2]


@contextmanager
def nothing_saved(*models_: type[models.Model]) -> Iterator[None]:
    """Assert the block writes no record of the given models, no history and no audit entry."""
    counted = (*models_, RecordHistory, AuditEvent)
    before = [m.objects.count() for m in counted]
    yield
    assert [m.objects.count() for m in counted] == before


def refused(call: Callable[[], Any], *fields: str) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as info:
        call()
    errors = info.value.message_dict
    assert set(fields) <= set(errors), errors
    return errors


def history_of(obj: models.Model) -> list[RecordHistory]:
    return list(
        RecordHistory.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk)).order_by("id")
    )


def person_data(district: District, **extra: Any) -> dict[str, Any]:
    data = {
        "household": district.households[GRID_A1].pk,
        "relation": "child",
        "name": "新成员",
        "id_number": make_id(dt.date(2001, 7, 15), 41, "F"),
        "phone": "13912345678",
    }
    data.update(extra)
    return data


# --- creating and updating each kind of record ------------------------------------------------------


def test_create_every_kind_of_record_with_history_and_audit(district: District) -> None:
    centre = district.users["centre_a"]
    org = services.save_record(
        centre,
        Organization,
        {
            "name": "新公司",
            "kind": "enterprise",
            "credit_code": "91350100m000100y43",
            "lon": A1_LON + 0.003,
            "lat": A1_LAT + 0.003,
            "contact_phone": "138 0013 8000",
        },
    )
    assert (org.grid_id, org.credit_code, org.contact_phone) == (GRID_A1, "91350100M000100Y43", "13800138000")
    building = services.save_record(
        centre,
        Building,
        {
            "code": "B-NEW",
            "number": "9号楼",
            "address": "示例路9号",
            "lon": A2_LON + 0.004,
            "lat": A2_LAT + 0.004,
            "floors": 18,
            "property_company": org.pk,
        },
    )
    assert building.grid_id == GRID_A2  # from its point
    house = services.save_record(
        centre, House, {"building": building.pk, "unit": 2, "floor": 17, "room": "1702"}
    )
    assert house.grid_id == GRID_A2  # from its building
    household = services.save_record(centre, Household, {"number": "H-NEW", "house": house.pk})
    assert household.grid_id == GRID_A2  # from its house
    person = services.save_record(
        centre, Person, person_data(district, household=household.pk, relation="head")
    )
    assert person.grid_id == GRID_A2  # from its household
    assert (person.birth_date, person.sex) == (dt.date(2001, 7, 15), "F")  # from the ID number
    household.refresh_from_db()
    assert household.head == person  # the first head becomes the household's head
    obj = services.save_record(
        centre,
        FacilityObject,
        {
            "code": "O-NEW",
            "object_class": "02",
            "subclass": "路灯",
            "lon": A1_LON + 0.007,
            "lat": A1_LAT + 0.007,
        },
    )
    assert obj.grid_id == GRID_A1
    tag = services.save_record(
        centre,
        PersonTag,
        {
            "person": person.pk,
            "group": KeyGroup.objects.get(code="veteran").pk,
            "since": dt.date(2024, 3, 1),
        },
    )
    assert tag.grid_id == GRID_A2  # from its person
    for record in (org, building, house, household, person, obj, tag):
        (entry,) = history_of(record)[:1]
        assert entry.action == "create" and entry.actor_label == "centre_a"
        assert entry.before == {} and entry.after["id"] == record.pk
        assert AuditEvent.objects.filter(
            action="create",
            object_type=record._meta.label_lower,
            object_id=str(record.pk),
            actor=centre,
            area_code=record.grid_id,
        ).exists()


def test_update_writes_changed_fields_only(district: District) -> None:
    centre = district.users["centre_a"]
    person = district.people[GRID_A1]
    services.save_record(centre, Person, {"phone": "13700001111", "work": "教师"}, pk=person.pk)
    entry = history_of(person)[-1]
    assert entry.action == "update"
    # The history holds the phone encrypted, as the register does; its readers decrypt it.
    assert "13700001111" not in str(entry.after) and person.phone not in str(entry.before)
    assert audit.history_values(entry) == (
        {"phone": person.phone, "work": ""},
        {"phone": "13700001111", "work": "教师"},
    )
    event = AuditEvent.objects.filter(
        action="update", object_id=str(person.pk), object_type="registry.person"
    ).get()
    assert event.detail == {"fields": ["phone", "work"]}
    # Saving the same values again changes nothing and writes nothing.
    count = RecordHistory.objects.count()
    services.save_record(centre, Person, {"phone": "13700001111"}, pk=person.pk)
    assert RecordHistory.objects.count() == count


@pytest.mark.parametrize(
    ("model", "key", "data"),
    [
        (Organization, "orgs", {"name": "改名物业", "employees": 12}),
        (Building, "buildings", {"floors": 7, "estate": "新小区"}),
        (House, "houses", {"use": "rented", "floor_area": "88.50"}),
        (Household, "households", {"number": "H-CHANGED"}),
        (FacilityObject, "objects", {"state": "damaged"}),
    ],
)
def test_update_each_kind(district: District, model: type[models.Model], key: str, data: dict) -> None:
    record = getattr(district, key)[GRID_A1]
    services.save_record(district.users["worker_a1"], model, data, pk=record.pk)
    entry = history_of(record)[-1]
    assert entry.action == "update"
    assert set(entry.after) == set(data)
    assert entry.actor_label == "worker_a1"


def test_an_area_instance_may_name_the_grid(district: District) -> None:
    household = services.save_record(
        district.users["centre_a"], Household, {"number": "H-AREA", "grid": Area.objects.get(code=GRID_A2)}
    )
    assert household.grid_id == GRID_A2


def test_changes_are_announced_after_commit(
    district: District, django_capture_on_commit_callbacks: Any
) -> None:
    seen: list[dict] = []

    def receiver(sender: Any, **kwargs: Any) -> None:
        seen.append({"sender": sender, **{k: kwargs[k] for k in ("pk", "grid_code", "action")}})

    register_changed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            person = services.save_record(district.users["worker_a1"], Person, person_data(district))
        assert seen == [{"sender": Person, "pk": person.pk, "grid_code": GRID_A1, "action": "create"}]
    finally:
        register_changed.disconnect(receiver)


# --- who may write ------------------------------------------------------------------------------------


def test_writes_outside_ones_reach_are_refused(district: District) -> None:
    for who in ("worker_a2", "worker_b1", "nobody", "admin", "department", "auditor", "street_a", "district"):
        actor = district.users[who]
        with nothing_saved(Household, Person):
            with pytest.raises(PermissionDenied):
                services.save_record(actor, Household, {"number": "H-X", "grid": GRID_A1})
            with pytest.raises((PermissionDenied, NotFound)):
                services.save_record(actor, Person, {"work": "x"}, pk=district.people[GRID_A1].pk)


def test_a_worker_cannot_move_a_record_out_of_its_grid(district: District) -> None:
    worker = district.users["worker_a1"]
    person = district.people[GRID_A1]
    household_a1 = district.households[GRID_A1]
    with nothing_saved(Household), pytest.raises(PermissionDenied):
        services.save_record(worker, Household, {"grid": GRID_A2, "house": None}, pk=household_a1.pk)
    # A household of another grid is not there for the worker at all.
    errors = refused(
        lambda: services.save_record(
            worker, Person, {"household": district.households[GRID_A2].pk}, pk=person.pk
        ),
        "household",
    )
    assert errors["household"]
    assert Person.objects.get(pk=person.pk).household_id == household_a1.pk


def test_out_of_scope_or_missing_records_are_not_found(district: District) -> None:
    worker = district.users["worker_a1"]
    other = district.people[GRID_A2]
    for pk in (other.pk, 999999, "abc", None):
        with pytest.raises(NotFound):
            services.get_visible(Person, worker, pk)
    with pytest.raises(NotFound):
        services.save_record(worker, Person, {"work": "x"}, pk=other.pk)
    with pytest.raises(NotFound):
        services.delete_record(worker, Person, other.pk)
    with pytest.raises(NotFound):
        services.reveal_person(worker, other.pk, "checking a visit")
    with pytest.raises(NotFound):
        services.save_record(district.users["admin"], Person, {"work": "x"}, pk=other.pk)


def test_the_system_actor_writes_anywhere(district: District) -> None:
    services.save_record(SYSTEM, Person, {"work": "系统"}, pk=district.people[GRID_B1].pk)
    assert history_of(district.people[GRID_B1])[-1].actor_label == "system"


# --- bad input: refused by field, nothing saved --------------------------------------------------------


BAD_PEOPLE = [
    ({"id_number": "110105194912310021"}, "id_number"),  # check digit
    ({"id_number": make_id(dt.date(2001, 7, 15), 41, "F")[:-1]}, "id_number"),  # too short
    ({"birth_date": dt.date(2001, 7, 16)}, "birth_date"),  # disagrees with the ID
    ({"sex": "M"}, "sex"),  # disagrees with the ID
    ({"phone": "12345"}, "phone"),
    ({"id_type": "passport", "id_number": "E1", "birth_date": dt.date(1990, 1, 1), "sex": "M"}, "id_number"),
    ({"sex": "X"}, "sex"),
    ({"status": "flying"}, "status"),
    ({"name": ""}, "name"),
    ({"salary": 1}, "salary"),  # not a field one may set
]


def test_bad_person_is_refused_by_field(district: District) -> None:
    for changes, field in BAD_PEOPLE:
        with nothing_saved(Person):
            data = person_data(district, **changes)
            refused(lambda data=data: services.save_record(district.users["centre_a"], Person, data), field)


def test_several_errors_come_together(district: District) -> None:
    errors = refused(
        lambda: services.save_record(
            district.users["centre_a"],
            Person,
            person_data(district, phone="1", birth_date=dt.date(1999, 1, 1)),
        ),
        "phone",
        "birth_date",
    )
    assert len(errors) == 2


def test_one_living_person_per_id_number(district: District) -> None:
    existing = district.people[GRID_A1]
    centre = district.users["centre_a"]
    with nothing_saved(Person):
        refused(
            lambda: services.save_record(
                centre, Person, person_data(district, id_number=existing.id_number, birth_date=None, sex="")
            ),
            "id_number",
        )
    # Another person of the grid may not take the number either.
    other = services.save_record(centre, Person, person_data(district))
    with nothing_saved():
        refused(
            lambda: services.save_record(
                centre,
                Person,
                {"id_number": existing.id_number, "birth_date": existing.birth_date, "sex": "M"},
                pk=other.pk,
            ),
            "id_number",
        )
    assert Person.objects.get(pk=other.pk).id_number != existing.id_number
    # The dead keep their number; a living person may then hold it.
    services.save_record(centre, Person, {"status": "deceased"}, pk=existing.pk)
    services.save_record(
        centre, Person, person_data(district, id_number=existing.id_number, birth_date=None, sex="")
    )


def test_a_bad_update_leaves_the_record_as_it_was(district: District) -> None:
    person = district.people[GRID_A1]
    before = Person.objects.filter(pk=person.pk).values().get()
    with nothing_saved():
        refused(
            lambda: services.save_record(
                district.users["centre_a"],
                Person,
                {"work": "改了", "id_number": "11010519491231002Y"},
                pk=person.pk,
            ),
            "id_number",
        )
    assert Person.objects.filter(pk=person.pk).values().get() == before


def test_passports_and_other_documents(district: District) -> None:
    centre = district.users["centre_a"]
    person = services.save_record(
        centre,
        Person,
        person_data(
            district,
            id_type="passport",
            id_number="e12345678",
            birth_date=dt.date(1980, 2, 3),
            sex="M",
            residence_type="foreign",
        ),
    )
    assert person.id_number == "E12345678"
    refused(
        lambda: services.save_record(
            centre,
            Person,
            person_data(district, id_type="other", id_number="", birth_date=dt.date(1980, 2, 3), sex="M"),
        ),
        "id_number",
    )
    refused(
        lambda: services.save_record(
            centre, Person, person_data(district, id_type="passport", id_number="G7654321")
        ),
        "birth_date",
    )


def test_messages_in_the_users_language(district: District) -> None:
    call = lambda: services.save_record(  # noqa: E731
        district.users["centre_a"], Person, person_data(district, id_number="110105194912310021")
    )
    with translation.override("en"):
        assert refused(call, "id_number")["id_number"] == ["The ID number's check digit is wrong."]
    with translation.override("zh-hans"):
        message = refused(call, "id_number")["id_number"][0]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message), message


BAD_RECORDS = [
    (
        Organization,
        {"name": "坏代码", "kind": "shop", "credit_code": "91350100M000100Y44", "grid": GRID_A1},
        "credit_code",
    ),
    (
        Organization,
        {"name": "坏电话", "kind": "shop", "contact_phone": "555", "grid": GRID_A1},
        "contact_phone",
    ),
    (Organization, {"name": "坏种类", "kind": "bank", "grid": GRID_A1}, "kind"),
    (Building, {"code": "B-FAR", "number": "1", "address": "远方", "lon": 100.0, "lat": 30.0}, "lon"),
    (Building, {"code": "B-BAD", "number": "1", "address": "x", "lon": 200.0, "lat": 30.0}, "lon"),
    (
        Building,
        {"code": f"B{GRID_A1}", "number": "1", "address": "x", "lon": A1_LON + 0.001, "lat": A1_LAT + 0.001},
        "code",
    ),
    (Household, {"number": "H-NOGRID"}, "grid"),
    (Household, {"number": "H-BADGRID", "grid": "110112001001"}, "grid"),  # a community, not a grid
    (
        FacilityObject,
        {
            "code": "O-BAD",
            "object_class": "09",
            "subclass": "x",
            "lon": A1_LON + 0.001,
            "lat": A1_LAT + 0.001,
        },
        "object_class",
    ),
    (PersonTag, {"group": 1, "since": dt.date(2024, 5, 1), "until": dt.date(2024, 4, 1)}, "until"),
]


def test_bad_records_are_refused_by_field(district: District) -> None:
    for model, data, field in BAD_RECORDS:
        if model is PersonTag:
            data = {**data, "person": district.people[GRID_A1].pk}
        with nothing_saved(model):
            refused(lambda m=model, d=data: services.save_record(district.users["centre_a"], m, d), field)


def test_house_rules(district: District) -> None:
    centre = district.users["centre_a"]
    building = district.buildings[GRID_A1]  # six floors, with room 1-201
    with nothing_saved(House):
        refused(
            lambda: services.save_record(centre, House, {"building": building.pk, "floor": 9, "room": "901"}),
            "floor",
        )
        # The same room twice is refused as a validation error, not a database crash.
        refused(
            lambda: services.save_record(
                centre, House, {"building": building.pk, "unit": 1, "floor": 2, "room": "201"}
            ),
            "__all__",
        )


def test_household_head_must_be_a_member(district: District) -> None:
    with nothing_saved():
        refused(
            lambda: services.save_record(
                district.users["centre_a"],
                Household,
                {"head": district.people[GRID_A2].pk},
                pk=district.households[GRID_A1].pk,
            ),
            "head",
        )


# --- the grid follows ---------------------------------------------------------------------------------


def test_grid_is_derived_not_chosen(district: District) -> None:
    centre = district.users["centre_a"]
    # The household decides the person's grid, whatever grid is sent.
    person = services.save_record(centre, Person, person_data(district, grid=GRID_A2))
    assert person.grid_id == GRID_A1
    org = services.save_record(
        centre,
        Organization,
        {"name": "点定网格", "kind": "shop", "grid": GRID_A1, "lon": A2_LON + 0.002, "lat": A2_LAT + 0.002},
    )
    assert org.grid_id == GRID_A2


def test_moving_a_household_moves_its_people_with_history(district: District) -> None:
    centre = district.users["centre_a"]
    household = district.households[GRID_A1]
    person = district.people[GRID_A1]
    services.save_record(centre, Household, {"house": district.houses[GRID_A2].pk}, pk=household.pk)
    person.refresh_from_db()
    assert person.grid_id == GRID_A2
    assert set(PersonTag.objects.filter(person=person).values_list("grid_id", flat=True)) == {GRID_A2}
    move = history_of(person)[-1]
    assert (move.action, move.before, move.after) == ("move", {"grid_id": GRID_A1}, {"grid_id": GRID_A2})
    assert AuditEvent.objects.filter(action="move", object_type="registry.persontag").count() == 2
    assert Person.objects.visible_to(district.users["worker_a2"]).filter(pk=person.pk).exists()
    assert not Person.objects.visible_to(district.users["worker_a1"]).filter(pk=person.pk).exists()


def test_moving_a_building_moves_everything_in_it(district: District) -> None:
    building = district.buildings[GRID_A1]
    services.save_record(
        district.users["centre_a"], Building, {"lon": A2_LON + 0.006, "lat": A2_LAT + 0.006}, pk=building.pk
    )
    assert {
        m.objects.get(pk=getattr(district, k)[GRID_A1].pk).grid_id
        for m, k in (
            (Building, "buildings"),
            (House, "houses"),
            (Household, "households"),
            (Person, "people"),
        )
    } == {GRID_A2}


# --- revealing and deleting ---------------------------------------------------------------------------


def test_reveal_needs_capability_reason_and_is_audited(district: District) -> None:
    person = district.people[GRID_A1]
    with pytest.raises(PermissionDenied):
        services.reveal_person(district.users["member_a1"], person.pk, "a good reason")
    with pytest.raises(PermissionDenied):
        services.reveal_person(SYSTEM, person.pk, "a good reason")
    for reason in ("", "   ", "ok"):
        with pytest.raises(ValidationError) as info:
            services.reveal_person(district.users["worker_a1"], person.pk, reason)
        assert "reason" in info.value.message_dict
    assert not AuditEvent.objects.filter(action="reveal").exists()
    revealed = services.reveal_person(district.users["street_a"], person.pk, "  家访核实身份  ")
    assert revealed["id_number"] == person.id_number and revealed["phone"] == person.phone
    assert sorted(revealed["tags"]) == ["community_correction", "elderly_alone"]
    event = AuditEvent.objects.get(action="reveal")
    assert (event.actor, event.reason, event.object_id, event.area_code) == (
        district.users["street_a"],
        "家访核实身份",
        str(person.pk),
        GRID_A1,
    )


def test_sensitive_tags_only_when_revealed(district: District) -> None:
    person = district.people[GRID_A1]
    assert [t.group.code for t in services.visible_tags(None, person, revealed=False)] == ["elderly_alone"]
    assert len(services.visible_tags(None, person, revealed=True)) == 2


def test_delete(district: District) -> None:
    obj = district.objects[GRID_A1]
    with pytest.raises(PermissionDenied):
        services.delete_record(district.users["street_a"], FacilityObject, obj.pk)
    services.delete_record(district.users["worker_a1"], FacilityObject, obj.pk)
    assert not FacilityObject.objects.filter(pk=obj.pk).exists()
    entry = history_of(obj)[-1]
    assert entry.action == "delete" and entry.after == {} and entry.before["code"] == obj.code
    # A building with houses is still referenced: refused, nothing removed.
    with nothing_saved(Building, House), pytest.raises(ValidationError):
        services.delete_record(district.users["worker_a1"], Building, district.buildings[GRID_A1].pk)

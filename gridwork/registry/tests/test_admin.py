"""The register in the back office: the scoping ladder, masked values, writes through the services."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from gridwork.conftest import GRID_A1, GRID_A2, GRID_B1, District, make_id
from gridwork.core.models import AuditEvent, RecordHistory
from gridwork.registry.models import Building, FacilityObject, Household, Organization, Person, PersonTag

LOGIN = reverse("admin:login")
MODELS = ["person", "household", "house", "building", "organization", "facilityobject", "persontag"]


def url(model: str, view: str, *args: Any) -> str:
    return reverse(f"admin:registry_{model}_{view}", args=args)


def form_of(response: Any) -> Any:
    return response.context["adminform"].form


def person_form(district: District, **values: Any) -> dict[str, str]:
    """The add form as a browser would post it."""
    data = {
        "grid": "",
        "household": str(district.households[GRID_A1].pk),
        "relation": "child",
        "name": "新成员",
        "id_type": "resident_id",
        "id_number": make_id(dt.date(2001, 7, 15), 41, "F"),
        "sex": "",
        "birth_date": "",
        "ethnicity": "汉族",
        "phone": "13912345678",
        "residence_type": "registered",
        "status": "living",
        "political_status": "masses",
        "education": "",
        "work": "",
        "notes": "",
    }
    data.update({key: str(value) for key, value in values.items()})
    return data


def existing_person_form(person: Person, **values: Any) -> dict[str, str]:
    data = {
        "grid": person.grid_id,
        "household": str(person.household_id or ""),
        "relation": person.relation,
        "name": person.name,
        "id_type": person.id_type,
        "id_number": "",
        "sex": person.sex,
        "birth_date": person.birth_date.isoformat(),
        "ethnicity": person.ethnicity,
        "phone": "",
        "residence_type": person.residence_type,
        "status": person.status,
        "political_status": person.political_status,
        "education": person.education,
        "work": person.work,
        "notes": person.notes,
    }
    data.update({key: str(value) for key, value in values.items()})
    return data


# --- the ladder -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", [None, "nobody", "worker_a1", "member_a1", "department"])
def test_outsiders_are_sent_to_the_login(district: District, who: str | None) -> None:
    client = district.client(who)
    record = {
        "person": district.people,
        "household": district.households,
        "house": district.houses,
        "building": district.buildings,
        "organization": district.orgs,
        "facilityobject": district.objects,
    }
    for model in MODELS:
        pk = record[model][GRID_A1].pk if model in record else PersonTag.objects.first().pk
        for target in (url(model, "changelist"), url(model, "change", pk), url(model, "add")):
            response = client.get(target)
            assert response.status_code == 302 and response["Location"].startswith(LOGIN), target


@pytest.mark.parametrize("who", ["admin", "auditor"])
def test_back_office_without_register_roles_gets_nothing(district: District, who: str) -> None:
    client = district.client(who)
    for model in MODELS:
        assert client.get(url(model, "changelist")).status_code == 403
    assert client.get(url("person", "change", district.people[GRID_A1].pk)).status_code == 403
    index = client.get("/admin/").content.decode()
    assert "/admin/registry/" not in index


@pytest.mark.parametrize(
    ("who", "listed", "editable"),
    [
        ("street_b", {GRID_B1, "110112104201002"}, False),  # the other street: A1 absent, and 404 below
        ("street_a", {GRID_A1, GRID_A2}, False),  # the street above: sees, may not change
        ("centre_a", {GRID_A1, GRID_A2}, True),  # the community's acceptance centre keeps the register
        ("district", {GRID_A1, GRID_A2, GRID_B1, "110112104201002"}, False),
    ],
)
def test_ladder_for_the_person_admin(district: District, who: str, listed: set[str], editable: bool) -> None:
    client = district.client(who)
    response = client.get(url("person", "changelist"))
    assert response.status_code == 200
    assert {p.grid_id for p in response.context["cl"].result_list} == listed
    person = district.people[GRID_A1]
    page = client.get(url("person", "change", person.pk))
    if GRID_A1 not in listed:
        assert page.status_code == 404
        assert client.post(url("person", "change", person.pk), existing_person_form(person)).status_code in (
            403,
            404,
        )
        assert client.get(url("person", "delete", person.pk)).status_code in (403, 404)
        return
    assert page.status_code == 200
    assert page.context["has_change_permission"] is editable
    assert (client.get(url("person", "add")).status_code == 200) is editable


def test_other_grids_are_absent_for_the_centre(district: District) -> None:
    client = district.client("centre_a")
    for model, records in (
        ("person", district.people),
        ("household", district.households),
        ("building", district.buildings),
        ("organization", district.orgs),
        ("facilityobject", district.objects),
        ("house", district.houses),
    ):
        assert client.get(url(model, "change", records[GRID_B1].pk)).status_code == 404
        assert client.get(url(model, "change", 999999)).status_code == 404  # the same as a missing one
        listed = client.get(url(model, "changelist")).context["cl"].result_list
        assert records[GRID_B1].pk not in {r.pk for r in listed}
        assert records[GRID_A1].pk in {r.pk for r in listed}


# --- masking --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["centre_a", "street_a"])
def test_id_numbers_and_phones_are_masked(district: District, who: str) -> None:
    client = district.client(who)
    person = district.people[GRID_A1]
    for page in (client.get(url("person", "changelist")), client.get(url("person", "change", person.pk))):
        html = page.content.decode()
        assert person.id_number not in html and person.phone not in html
        assert person.id_number_masked in html and person.phone_masked in html
        assert person.birth_date.strftime("%Y%m%d") not in html
    org = district.orgs[GRID_A1]
    html = client.get(url("organization", "change", org.pk)).content.decode()
    assert org.contact_phone not in html and org.contact_phone_masked in html


def test_masked_fields_are_empty_inputs_for_editors_only(district: District) -> None:
    person = district.people[GRID_A1]
    centre = form_of(district.client("centre_a").get(url("person", "change", person.pk)))
    assert "id_number" in centre.fields and centre["id_number"].value() == ""
    assert "phone" in centre.fields and centre["phone"].value() == ""
    english = district.client("centre_a").get(
        url("person", "change", person.pk), headers={"accept-language": "en"}
    )
    assert f"Now {person.id_number_masked}. Leave empty to keep it" in english.content.decode()
    street = district.client("street_a").get(url("person", "change", person.pk)).content.decode()
    assert 'name="id_number"' not in street and 'name="phone"' not in street


def test_url_filters_cannot_probe_masked_values(district: District) -> None:
    client = district.client("centre_a")
    prefix = district.people[GRID_A1].id_number[:10]
    assert client.get(url("person", "changelist"), {"id_number__startswith": prefix}).status_code == 400
    assert client.get(url("person", "changelist"), {"phone__contains": "139"}).status_code == 400
    assert (
        client.get(url("household", "changelist"), {"head__id_number__startswith": prefix}).status_code == 400
    )
    assert client.get(url("person", "changelist"), {"status__exact": "living"}).status_code == 200


def test_sensitive_tags_stay_out_of_the_back_office(district: District) -> None:
    client = district.client("centre_a")
    tags = client.get(url("persontag", "changelist")).context["cl"].result_list
    assert [t.group.code for t in tags] == ["elderly_alone"]
    sensitive = PersonTag.objects.get(group__code="community_correction")
    assert client.get(url("persontag", "change", sensitive.pk)).status_code == 404
    # Deleting the person would not list its tags by name either.
    page = client.get(url("person", "delete", district.people[GRID_A1].pk))
    delete = page.content.decode()
    assert "社区矫正" not in delete and "community corrections" not in delete
    counts = {str(label): count for label, count in page.context["model_count"]}
    # The person and one total of related records (its two tags), not a count per kind.
    assert len(counts) == 2 and sum(counts.values()) == 3
    assert counts[str(Person._meta.verbose_name_plural)] == 1
    assert str(PersonTag._meta.verbose_name_plural) not in counts


# --- writing through the services -----------------------------------------------------------------------


def test_add_person_through_the_service(district: District) -> None:
    client = district.client("centre_a")
    response = client.post(url("person", "add"), person_form(district))
    assert response.status_code == 302, form_of(response).errors
    person = Person.objects.get(name="新成员")
    assert (person.grid_id, person.birth_date, person.sex) == (GRID_A1, dt.date(2001, 7, 15), "F")
    entry = RecordHistory.objects.get(object_type="registry.person", object_id=str(person.pk))
    assert entry.action == "create" and entry.actor_label == "centre_a"
    # The admin's own change log is not written: the audit log is the one record.
    from django.contrib.admin.models import LogEntry

    assert not LogEntry.objects.exists()


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"id_number": "110105194912310021"}, "id_number"),
        ({"birth_date": "2001-07-16"}, "birth_date"),
        ({"phone": "12345"}, "phone"),
        ({"household": "", "grid": ""}, "grid"),
        ({"household": "", "grid": GRID_B1}, "grid"),  # not a grid one may choose
    ],
)
def test_bad_input_shows_on_the_form_and_saves_nothing(district: District, values: dict, field: str) -> None:
    client = district.client("centre_a")  # its login is audited: count after it
    counts = (Person.objects.count(), RecordHistory.objects.count(), AuditEvent.objects.count())
    response = client.post(url("person", "add"), person_form(district, **values))
    assert response.status_code == 200
    assert field in form_of(response).errors, form_of(response).errors
    assert (Person.objects.count(), RecordHistory.objects.count(), AuditEvent.objects.count()) == counts


def test_duplicate_living_id_via_admin(district: District) -> None:
    existing = district.people[GRID_A1]
    response = district.client("centre_a").post(
        url("person", "add"), person_form(district, id_number=existing.id_number)
    )
    assert "id_number" in form_of(response).errors
    assert Person.objects.filter(id_number=existing.id_number).count() == 1


def test_change_keeps_masked_values_unless_retyped(district: District) -> None:
    client = district.client("centre_a")
    person = district.people[GRID_A1]
    response = client.post(url("person", "change", person.pk), existing_person_form(person, work="教师"))
    assert response.status_code == 302, form_of(response).errors
    fresh = Person.objects.get(pk=person.pk)
    assert (fresh.work, fresh.id_number, fresh.phone) == ("教师", person.id_number, person.phone)
    response = client.post(
        url("person", "change", person.pk), existing_person_form(person, phone="13511112222")
    )
    assert response.status_code == 302
    assert Person.objects.get(pk=person.pk).phone == "13511112222"
    response = client.post(url("person", "change", person.pk), existing_person_form(person, clear_phone="on"))
    assert Person.objects.get(pk=person.pk).phone == ""
    entry = RecordHistory.objects.filter(object_type="registry.person", object_id=str(person.pk)).first()
    assert entry.after == {"phone": ""}


def test_bad_change_leaves_the_record_untouched(district: District) -> None:
    person = district.people[GRID_A1]
    before = Person.objects.filter(pk=person.pk).values().get()
    response = district.client("centre_a").post(
        url("person", "change", person.pk),
        existing_person_form(person, work="改了", id_number="11010519491231002Y"),
    )
    assert response.status_code == 200
    assert "id_number" in form_of(response).errors
    assert Person.objects.filter(pk=person.pk).values().get() == before


def test_foreign_key_choices_are_limited_to_visible_records(district: District) -> None:
    form = form_of(district.client("centre_a").get(url("person", "add")))
    assert set(form.fields["household"].queryset.values_list("grid_id", flat=True)) == {GRID_A1, GRID_A2}
    assert list(form.fields["grid"].queryset.values_list("code", flat=True)) == [GRID_A1, GRID_A2]
    # A household of another grid posted by hand is refused.
    response = district.client("centre_a").post(
        url("person", "add"), person_form(district, household=district.households[GRID_B1].pk)
    )
    assert "household" in form_of(response).errors
    # Autocomplete answers from the scoped list too.
    answer = (
        district.client("centre_a")
        .get(
            reverse("admin:autocomplete"),
            {"app_label": "registry", "model_name": "person", "field_name": "household", "term": "H"},
        )
        .json()
    )
    assert {r["text"] for r in answer["results"]} == {f"H{GRID_A1}", f"H{GRID_A2}"}


def test_organisation_and_building_through_the_service(district: District) -> None:
    client = district.client("centre_a")
    response = client.post(
        url("organization", "add"),
        {
            "grid": "",
            "name": "坏公司",
            "kind": "shop",
            "credit_code": "91350100M000100Y44",
            "address": "",
            "contact_name": "",
            "contact_phone": "",
            "lon": "116.602",
            "lat": "39.902",
            "employees": "",
        },
    )
    assert "credit_code" in form_of(response).errors
    assert not Organization.objects.filter(name="坏公司").exists()
    response = client.post(
        url("building", "add"),
        {
            "grid": "",
            "code": "B-ADMIN",
            "estate": "",
            "number": "3",
            "address": "示例路3号",
            "lon": "116.615",
            "lat": "39.905",
            "floors": "5",
            "units": "1",
            "property_company": "",
            "head": "",
        },
    )
    assert response.status_code == 302, form_of(response).errors
    assert Building.objects.get(code="B-ADMIN").grid_id == GRID_A2


def test_delete_through_the_service(district: District) -> None:
    client = district.client("centre_a")
    obj = district.objects[GRID_A1]
    assert client.get(url("facilityobject", "delete", obj.pk)).status_code == 200
    response = client.post(url("facilityobject", "delete", obj.pk), {"post": "yes"})
    assert response.status_code == 302
    assert not FacilityObject.objects.filter(pk=obj.pk).exists()
    assert RecordHistory.objects.filter(
        object_id=str(obj.pk), object_type="registry.facilityobject", action="delete"
    ).exists()
    # Still referenced: the page says so and nothing is removed.
    building = district.buildings[GRID_A1]
    page = client.get(url("building", "delete", building.pk))
    assert page.context["protected"]
    client.post(url("building", "delete", building.pk), {"post": "yes"})
    assert Building.objects.filter(pk=building.pk).exists()
    # Street staff may look, not delete.
    street = district.client("street_a")
    assert (
        street.post(url("household", "delete", district.households[GRID_A2].pk), {"post": "yes"}).status_code
        == 403
    )
    assert Household.objects.filter(pk=district.households[GRID_A2].pk).exists()


def test_no_bulk_actions(district: District) -> None:
    response = district.client("centre_a").get(url("person", "changelist"))
    assert response.context["action_form"] is None
    pks = [str(p.pk) for p in Person.objects.filter(grid_id__in=[GRID_A1, GRID_A2])]
    district.client("centre_a").post(
        url("person", "changelist"), {"action": "delete_selected", "_selected_action": pks, "post": "yes"}
    )
    assert Person.objects.filter(pk__in=pks).count() == len(pks)

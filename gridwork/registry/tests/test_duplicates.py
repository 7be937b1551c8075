"""The duplicate finder and the merge: planted duplicates are found, distinct people are not, and a
merge moves every reference, keeps both records' history and stays inside the actor's scope."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from gridwork.conftest import GRID_A1, GRID_A2, GRID_B1, District, make_id
from gridwork.core.errors import NotFound
from gridwork.core.models import AuditEvent, RecordHistory
from gridwork.core.system import SYSTEM
from gridwork.registry import services
from gridwork.registry.duplicates import (
    NAME_BIRTH,
    NAME_PHONE,
    SAME_ID,
    find_duplicates,
    name_birth_groups,
    same_id_groups,
)
from gridwork.registry.merge import merge_persons
from gridwork.registry.models import Building, House, Household, KeyGroup, Person, PersonTag
from gridwork.web.tests.helpers import assert_login_redirect, html

BIRTH = dt.date(1985, 3, 14)


def person(grid: str, name: str, id_number: str, **extra: Any) -> Person:
    data = {"grid": grid, "name": name, "id_number": id_number, **extra}
    if extra.get("id_type", "resident_id") != "resident_id":
        data.setdefault("sex", "F")
        data.setdefault("birth_date", BIRTH)
    return services.save_record(SYSTEM, Person, data)


def groups_of(user: Any, kind: str | None = None) -> list[set[int]]:
    return [{p.pk for p in g.members} for g in find_duplicates(user) if kind is None or g.kind == kind]


# --- finding -------------------------------------------------------------------------------------


def test_same_number_under_two_id_types_is_found_across_grids(district: District) -> None:
    number = make_id(BIRTH, 41, "F")
    card = person(GRID_A1, "李娜", number)
    other = person(GRID_A2, "李娜", number, id_type="other")

    assert {card.pk, other.pk} in groups_of(district.users["centre_a"], SAME_ID)
    # Each grid's worker sees one of the two records only: no group, and nothing of the other grid.
    assert groups_of(district.users["worker_a1"], SAME_ID) == []
    assert groups_of(district.users["worker_b1"]) == []


def test_space_and_case_variants_are_the_same_number(district: District) -> None:
    first = person(GRID_A1, "张伟", "AB12345", id_type="other")
    second = person(GRID_A1, "张伟", "ab 12345", id_type="other")
    assert Person.objects.get(pk=second.pk).id_number == "AB 12345"  # the database rule sees two numbers
    found = same_id_groups(district.users["worker_a1"])
    assert [{p.pk for p in g.members} for g in found] == [{first.pk, second.pk}]
    # Shown masked: never the whole number.
    assert found[0].shown_key == "A**2345"


def test_a_deceased_and_a_living_record_with_one_number_are_found(district: District) -> None:
    number = make_id(BIRTH, 42, "M")
    dead = person(GRID_A1, "王强", number, status="deceased")
    living = person(GRID_A1, "王强", number)
    assert {dead.pk, living.pk} in groups_of(district.users["worker_a1"], SAME_ID)


def test_likely_duplicates_by_name_and_birth_date_and_by_name_and_phone(district: District) -> None:
    one = person(GRID_A1, "陈静", make_id(BIRTH, 43, "F"))
    two = person(GRID_A1, "陈静", make_id(BIRTH, 44, "F"))
    three = person(GRID_A1, "赵磊", make_id(dt.date(1970, 1, 1), 45, "M"), phone="13911112222")
    four = person(GRID_A1, "赵磊", make_id(dt.date(1971, 2, 2), 46, "M"), phone="13911112222")
    user = district.users["worker_a1"]
    assert groups_of(user, NAME_BIRTH) == [{one.pk, two.pk}]
    assert groups_of(user, NAME_PHONE) == [{three.pk, four.pk}]
    shown = [g.shown_key for g in find_duplicates(user)]
    assert "13911112222" not in " ".join(shown)


def test_distinct_people_are_not_flagged(district: District) -> None:
    # Same name, other birth date, other phone: two people, not one.
    person(GRID_A1, "刘洋", make_id(dt.date(1990, 1, 1), 47, "M"), phone="13900001111")
    person(GRID_A1, "刘洋", make_id(dt.date(1991, 1, 1), 48, "M"), phone="13900002222")
    # Same birth date and phone, other names (a household's twins share both).
    person(GRID_A1, "周一", make_id(BIRTH, 49, "M"), phone="13900003333")
    person(GRID_A1, "周二", make_id(BIRTH, 50, "M"), phone="13900003333")
    assert find_duplicates(district.users["district"]) == []


def test_a_pair_is_listed_once_under_its_strongest_evidence(district: District) -> None:
    number = make_id(BIRTH, 51, "F")
    person(GRID_A1, "孙丽", number)
    person(GRID_A1, "孙丽", number, id_type="other")
    kinds = [g.kind for g in find_duplicates(district.users["worker_a1"])]
    assert kinds == [SAME_ID]


def test_the_search_is_a_few_group_queries(district: District, django_assert_max_num_queries: Any) -> None:
    for serial in range(10):
        person(GRID_A1, f"重名{serial}", make_id(BIRTH, 60 + serial, "M"))
        person(GRID_A1, f"重名{serial}", make_id(BIRTH, 80 + serial, "M"))
    user = district.users["worker_a1"]
    user.refresh_from_db()
    # 1 for the roles, then one GROUP BY and one member query per kind, whatever the group count.
    with django_assert_max_num_queries(7):
        assert len(name_birth_groups(user)) == 10
        find_duplicates(user)


# --- merging -------------------------------------------------------------------------------------


@pytest.fixture
def pair(district: District) -> tuple[Person, Person]:
    """A kept record with no household, and a duplicate in grid A1 that heads a household, owns
    the house, heads the building and carries a tag."""
    keep = person(GRID_A1, "测试1", make_id(BIRTH, 52, "M"), phone="")
    merged = district.people[GRID_A1]
    building = district.buildings[GRID_A1]
    services.save_record(SYSTEM, Building, {"head": merged.pk}, pk=building.pk)
    services.save_record(SYSTEM, House, {"owner": merged.pk}, pk=district.houses[GRID_A1].pk)
    return keep, merged


def test_merge_moves_every_reference_and_keeps_both_records(district: District, pair: Any) -> None:
    keep, merged = pair
    worker = district.users["worker_a1"]
    household = district.households[GRID_A1]
    tags_before = set(PersonTag.objects.filter(person=merged).values_list("pk", flat=True))
    assert tags_before

    merge_persons(worker, keep.pk, merged.pk, "同一人，两次登记")

    keep.refresh_from_db()
    merged.refresh_from_db()
    assert set(PersonTag.objects.filter(person=keep).values_list("pk", flat=True)) == tags_before
    assert keep.household_id == household.pk and keep.relation == "head"
    assert Household.objects.get(pk=household.pk).head_id == keep.pk
    assert House.objects.get(pk=district.houses[GRID_A1].pk).owner_id == keep.pk
    assert Building.objects.get(pk=district.buildings[GRID_A1].pk).head_id == keep.pk
    assert keep.phone == district.people[GRID_A1].phone  # a blank filled from the duplicate
    # The merged record stays, moved out, with a note naming the kept record and the reason.
    assert merged.status == "moved_out" and merged.household_id is None
    assert f"#{keep.pk}" in merged.notes and "同一人，两次登记" in merged.notes
    for record in (keep, merged):
        assert RecordHistory.objects.filter(object_type="registry.person", object_id=str(record.pk)).exists()
    entry = AuditEvent.objects.filter(object_id=str(keep.pk), reason="同一人，两次登记").get()
    assert entry.detail["merge"]["merged"] == merged.pk
    assert entry.actor == worker


def test_merge_refuses_without_a_reason_and_changes_nothing(district: District, pair: Any) -> None:
    keep, merged = pair
    counts = (RecordHistory.objects.count(), AuditEvent.objects.count())
    for reason in ("", "  ", "ab"):
        with pytest.raises(ValidationError):
            merge_persons(district.users["worker_a1"], keep.pk, merged.pk, reason)
    with pytest.raises(ValidationError):
        merge_persons(district.users["worker_a1"], keep.pk, keep.pk, "same record")
    assert (RecordHistory.objects.count(), AuditEvent.objects.count()) == counts
    assert Person.objects.get(pk=merged.pk).status == "living"


def test_merge_refuses_across_scope(district: District) -> None:
    a1, a2, b1 = (district.people[g] for g in (GRID_A1, GRID_A2, GRID_B1))
    # Another grid's record is invisible to a grid worker: answered like one that does not exist.
    with pytest.raises(NotFound):
        merge_persons(district.users["worker_a1"], a1.pk, a2.pk, "duplicate entry")
    with pytest.raises(NotFound):
        merge_persons(district.users["worker_b1"], a1.pk, b1.pk, "duplicate entry")
    # Street staff see both records but may not change the register.
    with pytest.raises(PermissionDenied):
        merge_persons(district.users["street_a"], a1.pk, a2.pk, "duplicate entry")
    with pytest.raises(NotFound):
        merge_persons(district.users["nobody"], a1.pk, a2.pk, "duplicate entry")
    assert Person.objects.filter(status="living").count() == 4


def test_the_community_merges_across_its_grids_and_the_tags_follow_the_kept_record(
    district: District,
) -> None:
    household_a2 = district.households[GRID_A2]
    keep = person(GRID_A2, "测试1", make_id(BIRTH, 53, "M"), household=household_a2.pk, relation="child")
    merged = district.people[GRID_A1]
    merge_persons(district.users["centre_a"], keep.pk, merged.pk, "two entries of one resident")
    keep.refresh_from_db()
    # The kept record has a household of its own and stays in it, in its grid.
    assert (keep.household_id, keep.grid_id) == (household_a2.pk, GRID_A2)
    tags = PersonTag.objects.filter(person=keep)
    assert tags.count() == 2 and {t.grid_id for t in tags} == {GRID_A2}
    # A1's household loses its head rather than keep one who lives elsewhere.
    assert Household.objects.get(pk=district.households[GRID_A1].pk).head_id is None


def test_a_deceased_duplicate_stays_deceased_so_the_one_living_rule_holds(district: District) -> None:
    number = make_id(BIRTH, 54, "F")
    dead = person(GRID_A1, "吴敏", number, status="deceased")
    living = person(GRID_A1, "吴敏", number)
    merge_persons(district.users["worker_a1"], living.pk, dead.pk, "death recorded on a duplicate")
    assert Person.objects.get(pk=dead.pk).status == "deceased"
    # The rule itself still stands in the database.
    with pytest.raises(IntegrityError), transaction.atomic():
        Person.objects.filter(pk=dead.pk).update(status="moved_out")


def test_a_tag_of_a_group_the_kept_record_holds_stays_on_the_merged_one(district: District) -> None:
    keep = person(GRID_A1, "测试1", make_id(BIRTH, 55, "M"))
    merged = district.people[GRID_A1]
    elderly = KeyGroup.objects.get(code="elderly_alone")
    services.save_record(SYSTEM, PersonTag, {"person": keep.pk, "group": elderly.pk, "since": BIRTH})
    merge_persons(district.users["worker_a1"], keep.pk, merged.pk, "duplicate entry")
    assert list(PersonTag.objects.filter(person=merged).values_list("group__code", flat=True)) == [
        "elderly_alone"
    ]
    assert PersonTag.objects.filter(person=keep, group__code="community_correction").exists()


# --- the page ------------------------------------------------------------------------------------


def test_duplicates_page_ladder(district: District) -> None:
    number = make_id(BIRTH, 56, "F")
    a = person(GRID_A1, "郑红", number)
    b = person(GRID_A1, "郑红", number, id_type="other")
    url = "/duplicates/"
    assert_login_redirect(district.client(None).get(url))
    assert district.client("nobody").get(url).status_code == 403
    assert district.client("street_a").get(url).status_code == 403  # reads, but may not change
    other = district.client("worker_b1").get(url)
    assert other.status_code == 200 and "郑红" not in html(other)
    for who in ("worker_a1", "centre_a"):
        body = html(district.client(who).get(url))
        assert "郑红" in body, who
        assert number not in body and number[6:14] not in body
        assert a.id_number_masked in body and str(b.pk) in body


def test_merge_from_the_page(district: District) -> None:
    number = make_id(BIRTH, 57, "F")
    keep = person(GRID_A1, "郑红", number)
    merged = person(GRID_A1, "郑红", number, id_type="other")
    url = "/duplicates/merge/"
    data = {"keep": keep.pk, "merge": merged.pk, "reason": "one resident"}
    assert_login_redirect(district.client(None).post(url, data))
    assert district.client("nobody").post(url, data).status_code == 403
    assert district.client("worker_b1").post(url, data).status_code == 404
    assert district.client("worker_a1").get(url).status_code == 405
    refused = district.client("worker_a1").post(url, {**data, "reason": ""})
    assert refused.status_code == 400
    assert Person.objects.get(pk=merged.pk).status == "living"
    done = district.client("worker_a1").post(url, data)
    assert done.status_code == 302 and done["Location"] == "/duplicates/"
    assert Person.objects.get(pk=merged.pk).status == "moved_out"
    assert "郑红" not in html(district.client("worker_a1").get(url))

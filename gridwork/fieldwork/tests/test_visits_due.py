"""Due dates from the tags' visit intervals, overdue, and the due list in two queries."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from gridwork.conftest import GRID_A1, GRID_A2, District, make_id
from gridwork.core.system import SYSTEM
from gridwork.fieldwork import visit_services as services
from gridwork.fieldwork.visit_batch import record_visits_batch
from gridwork.fieldwork.visit_due import due_rows
from gridwork.fieldwork.visit_models import Visit
from gridwork.registry import services as registry
from gridwork.registry.models import KeyGroup, Person, PersonTag

pytestmark = pytest.mark.django_db


def ago(days: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days)


def row_of(rows: list, person: Person) -> Any:
    return next(r for r in rows if r.person_id == person.pk)


def test_never_visited_is_due_today(district: District) -> None:
    rows = due_rows(district.users["worker_a1"])
    person = district.people[GRID_A1]
    row = row_of(rows, person)
    assert row.due_on == timezone.localdate() and not row.overdue and row.never_visited
    # Both tags (living alone, community correction) are weekly; the sensitive one is not named.
    assert row.interval_days == 7
    assert len(row.tags) == 2 and row.tags[0] in ("独居老人", "elderly living alone")
    assert "社区矫正人员" not in row.tags and "community corrections" not in row.tags
    # Untagged people have no interval and are not listed.
    assert [r.person_id for r in rows] == [person.pk]


def test_due_from_the_last_visit_and_the_shortest_interval(district: District) -> None:
    worker, person = district.users["worker_a1"], district.people[GRID_A1]
    services.record_visit(worker, person_id=person.pk, visited_at=ago(30), findings="一切正常")
    services.record_visit(worker, person_id=person.pk, visited_at=ago(10), findings="腿脚不便")
    row = row_of(due_rows(worker), person)
    assert row.due_on == timezone.localtime(ago(10)).date() + dt.timedelta(days=7)
    assert row.overdue and row.overdue_days == 3

    services.record_visit(worker, person_id=person.pk, visited_at=ago(2), kind="phone")
    row = row_of(due_rows(worker), person)
    assert row.due_on == timezone.localtime(ago(2)).date() + dt.timedelta(days=7)
    assert not row.overdue


def test_the_next_visit_date_set_on_a_visit_wins(district: District) -> None:
    worker, person = district.users["worker_a1"], district.people[GRID_A1]
    soon = timezone.localdate() + dt.timedelta(days=2)
    services.record_visit(worker, person_id=person.pk, visited_at=ago(1), next_visit_on=soon)
    assert row_of(due_rows(worker), person).due_on == soon


def test_a_household_visit_counts_for_its_members(district: District) -> None:
    worker, person = district.users["worker_a1"], district.people[GRID_A1]
    services.record_visit(worker, household_id=person.household_id, visited_at=ago(1))
    row = row_of(due_rows(worker), person)
    assert row.last_visit is not None and not row.overdue


def test_an_ended_tag_gives_no_due_date(district: District) -> None:
    person = district.people[GRID_A1]
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    for tag in PersonTag.objects.filter(person=person):
        registry.save_record(SYSTEM, PersonTag, {"until": yesterday}, pk=tag.pk)
    assert due_rows(district.users["worker_a1"]) == []


def test_a_visit_dated_in_the_future_or_outside_the_city_is_refused(district: District) -> None:
    worker, person = district.users["worker_a1"], district.people[GRID_A1]
    with pytest.raises(ValidationError) as future:
        services.record_visit(worker, person_id=person.pk, visited_at=timezone.now() + dt.timedelta(hours=2))
    assert "visited_at" in future.value.message_dict
    with pytest.raises(ValidationError) as far:
        services.record_visit(worker, person_id=person.pk, lon=121.47, lat=31.23)  # Shanghai
    assert "lon" in far.value.message_dict
    assert not due_rows(worker)[0].last_visit


def test_sixty_due_people_in_two_queries(district: District, django_assert_num_queries: Any) -> None:
    elderly = KeyGroup.objects.get(code="elderly_alone")
    household = district.households[GRID_A2]
    for serial in range(60):
        person = registry.save_record(
            SYSTEM,
            Person,
            {
                "household": household.pk,
                "relation": "other",
                "name": f"居民{serial:02d}",
                "id_number": make_id(dt.date(1950, 1, 1) + dt.timedelta(days=serial), serial + 10, "F"),
            },
        )
        registry.save_record(
            SYSTEM, PersonTag, {"person": person.pk, "group": elderly.pk, "since": dt.date(2024, 1, 1)}
        )
    worker = district.users["worker_a2"]
    due_rows(worker)  # the worker's roles, read once per user object
    with django_assert_num_queries(2):
        rows = due_rows(worker, area=GRID_A2)
    assert len(rows) == 60 and all(r.tags for r in rows)


def test_the_batch_form_checks_every_row_and_writes_all_or_nothing(district: District) -> None:
    worker, person = district.users["worker_a1"], district.people[GRID_A1]
    good = {"person_id": person.pk, "grid": GRID_A1, "visited_at": ago(20), "kind": "home"}
    with pytest.raises(ValidationError) as bad:
        record_visits_batch(
            worker,
            [
                good,
                {**good, "visited_at": timezone.now() + dt.timedelta(days=3)},
                {**good, "person_id": district.people[GRID_A2].pk},
            ],
        )
    assert [line.split(":")[0] for line in bad.value.message_dict["rows"]] == ["2", "3"]
    assert due_rows(worker)[0].never_visited
    assert record_visits_batch(worker, [good, {**good, "visited_at": ago(3)}]) == 2
    row = due_rows(worker)[0]
    assert Visit.objects.filter(person=person, worker=worker).count() == 2
    assert timezone.localtime(row.last_visit).date() == timezone.localtime(ago(3)).date() and not row.overdue

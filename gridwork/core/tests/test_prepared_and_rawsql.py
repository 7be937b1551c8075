"""Kept list statements (core/prepared.py) and fixed-SQL reads (core/rawsql.py): the same rows as
the ORM gives, current data on every call, and a new statement whenever the user's roles change."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gridwork.accounts import services as accounts
from gridwork.accounts.access import forget_assignments
from gridwork.accounts.models import Role
from gridwork.areas.models import Area
from gridwork.conftest import GRID_A1, GRID_B1, District, make_id
from gridwork.core import prepared, rawsql
from gridwork.core.system import SYSTEM
from gridwork.registry import services
from gridwork.registry.kept_key_groups import key_groups
from gridwork.registry.models import Household, KeyGroup, Person


@pytest.fixture(autouse=True)
def no_statements() -> None:
    prepared.forget()


def seen(user, key="people") -> set[int]:  # noqa: ANN001
    rows = prepared.values(user, key, lambda: Person.objects.visible_to(user).values("id", "birth_date"))
    return {row["id"] for row in rows}


def test_rows_equal_the_orm_and_are_read_each_time(district: District) -> None:
    user = district.users["worker_a1"]
    first = prepared.values(
        user, "people", lambda: Person.objects.visible_to(user).values("id", "birth_date")
    )
    assert first == list(Person.objects.visible_to(user).values("id", "birth_date"))
    assert all(isinstance(row["birth_date"], dt.date) for row in first)  # converted as the ORM does
    household = services.save_record(SYSTEM, Household, {"number": "PREP1", "grid": GRID_A1})
    data = {
        "household": household.pk,
        "relation": "head",
        "name": "后来者",
        "id_number": make_id(dt.date(1990, 1, 2), 5, "M"),
    }
    newcomer = services.save_record(SYSTEM, Person, data)
    with CaptureQueriesContext(connection) as queries:
        again = seen(user, "people")
    assert newcomer.pk in again and len(queries) == 1  # one statement, no compiling query


def test_a_grant_or_revoke_gets_a_new_statement(district: District) -> None:
    user = district.users["worker_a1"]
    before = seen(user)
    assert district.people[GRID_B1].pk not in before
    assignment = accounts.grant_role(SYSTEM, user, Role.GRID_WORKER, GRID_B1)
    forget_assignments(user)
    assert district.people[GRID_B1].pk in seen(user)
    accounts.revoke_role(SYSTEM, assignment.pk)
    forget_assignments(user)
    assert seen(user) == before


def test_users_never_share_a_statement(district: District) -> None:
    worker_a, worker_b = district.users["worker_a1"], district.users["worker_b1"]
    assert seen(worker_a) != seen(worker_b)
    assert district.people[GRID_B1].pk in seen(worker_b)
    assert district.people[GRID_B1].pk not in seen(worker_a)


def test_no_scope_gives_no_rows(district: District) -> None:
    assert seen(district.users["nobody"]) == set()


def test_without_a_key_nothing_is_kept(district: District) -> None:
    user = district.users["worker_a1"]
    seen(user, key=None)
    assert not prepared._statements


def test_raw_instances_equal_the_orm(district: District) -> None:
    codes = [GRID_A1, GRID_B1, "110112001"]
    raw = {a.code: a for a in rawsql.instances(Area, f"code IN ({rawsql.placeholders(codes)})", codes)}
    orm = {a.code: a for a in Area.objects.filter(code__in=codes)}
    assert raw.keys() == orm.keys()
    for code, area in orm.items():
        fields = [f.attname for f in Area._meta.concrete_fields]
        assert [getattr(raw[code], f) for f in fields] == [getattr(area, f) for f in fields]
        assert type(raw[code].rural) is bool and raw[code]._state.adding is False


def test_key_groups_are_kept_and_forgotten_on_change(monkeypatch: pytest.MonkeyPatch, db: None) -> None:
    from gridwork.registry import kept_key_groups

    monkeypatch.setattr(kept_key_groups, "_may_keep", lambda: True)
    kept_key_groups.forget()
    first = key_groups()
    assert [g.code for g in first] == list(KeyGroup.objects.values_list("code", flat=True))
    with CaptureQueriesContext(connection) as queries:
        assert key_groups() is first
    assert len(queries) == 0
    group = KeyGroup.objects.get(code="veteran")
    group.name_en = "military veterans"
    group.save()
    assert [g.name_en for g in key_groups() if g.code == "veteran"] == ["military veterans"]
    kept_key_groups.forget()


def by_pk(user):  # noqa: ANN001, ANN201
    return lambda pk: Person.objects.visible_to(user).filter(pk=pk)


def test_bound_values_fill_one_statement(district: District) -> None:
    user = district.users["street_a"]
    fields = [f.attname for f in Person._meta.concrete_fields]
    for person in Person.objects.visible_to(user):
        [found] = prepared.instances(user, "one", by_pk(user), person.pk)
        assert [getattr(found, f) for f in fields] == [getattr(person, f) for f in fields]
        assert found._state.adding is False
    assert len([k for k in prepared._statements if k[0] == "one"]) == 1  # one statement for all ids
    outside = district.people[GRID_B1].pk
    assert prepared.instances(user, "one", by_pk(user), outside) == []  # still scoped


def test_a_value_a_lookup_rewrites_is_not_bound(district: District) -> None:
    user = district.users["worker_a1"]
    name = district.people[GRID_A1].name

    def named(part: str):  # noqa: ANN202
        return Person.objects.visible_to(user).filter(name__contains=part).values("id")

    # `contains` wraps the value in wildcards: no stand-in to fill, so each call compiles anew.
    assert prepared.values(user, "named", named, name[:1]) == list(named(name[:1]))
    assert prepared.values(user, "named", named, "没有这个名字") == []
    assert prepared._statements[next(k for k in prepared._statements if k[0] == "named")] is None


def test_a_stand_in_outside_a_columns_range_falls_back(district: District) -> None:
    user = district.users["district"]

    def at_level(level: int):  # noqa: ANN202
        # A small positive column: Django answers a lookup out of its range with no SQL at all.
        return Area.objects.filter(level=level).values("code")

    for level in (1, 4):
        assert prepared.values(user, "level", at_level, level) == list(at_level(level))

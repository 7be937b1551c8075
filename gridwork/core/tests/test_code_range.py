"""Scoping by code range: the helper's bounds, and the same answers as the old prefix filter."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gridwork.areas.models import Area
from gridwork.conftest import GRID_A1, GRID_B1, District
from gridwork.core.scoping import code_range_q, next_prefix, prefix_q, shorter_inside
from gridwork.registry.models import Household, Person


@pytest.mark.parametrize(
    ("prefix", "upper"),
    [
        ("110112", "110113"),  # district
        ("110112001", "110112002"),  # street
        ("110112009", "110112010"),  # carry into the next digit
        ("110112001999", "110112002000"),  # community, carrying through three digits
        ("110112001001001", "110112001001002"),  # grid
        ("119999999", "120000000"),
        ("999999", None),  # nothing above: only the lower bound
    ],
)
def test_next_prefix(prefix: str, upper: str | None) -> None:
    assert next_prefix(prefix) == upper


def test_code_range_q_bounds() -> None:
    assert code_range_q("code", "110112008").children == [
        ("code__gte", "110112008"),
        ("code__lt", "110112009"),
    ]
    # A carry: the one shorter code inside the range is left out by name.
    carried = code_range_q("code", "110112009")
    assert carried.children[:2] == [("code__gte", "110112009"), ("code__lt", "110112010")]
    assert carried.children[2].negated and carried.children[2].children == [("code__in", ["11011201"])]
    assert code_range_q("code", "999").children == [("code__gte", "999")]
    # Not digits (a typed filter): the exact prefix meaning, not a range.
    assert code_range_q("code", "E01").children == [("code__startswith", "E01")]
    assert prefix_q("code", []) is None


@settings(max_examples=300, deadline=None)
@given(
    prefix=st.text(alphabet="0123456789", min_size=1, max_size=15),
    code=st.text(alphabet="0123456789", min_size=1, max_size=15),
)
def test_range_equals_prefix(prefix: str, code: str) -> None:
    # For codes of digits, inside the range and not one of the shorter codes left out by name is
    # exactly "starts with the prefix", whatever the lengths.
    upper = next_prefix(prefix)
    in_range = code >= prefix and (upper is None or code < upper)
    assert (in_range and code not in shorter_inside(prefix, upper)) == code.startswith(prefix)


def test_an_area_above_a_scope_ending_in_9_is_not_inside_it(district: District) -> None:
    # The range of street 110111999 is [110111999, 110112000): the district 110112 sorts inside it.
    Area.objects.create(code="110111", name="邻区", level=1)
    street = Area.objects.create(
        code="110111999", name="九九九街道", level=2, parent=Area.objects.get(code="110111")
    )
    found = set(Area.objects.filter(code_range_q("code", street.code)).values_list("code", flat=True))
    assert found == {"110111999"}
    assert shorter_inside("110111999", next_prefix("110111999")) == ["110112", "1101120", "11011200"]


def _old_visible(model: type, codes: list[str], field: str) -> set[int]:
    """The prefix semantics scoping had before: any row whose code starts with a scope code."""
    rows = model.objects.values_list("pk", field)
    return {pk for pk, code in rows if any(code.startswith(c) for c in codes)}


@pytest.mark.parametrize("who", ["worker_a1", "worker_b1", "centre_a", "street_a", "district", "nobody"])
def test_visible_to_matches_the_prefix_semantics(district: District, who: str) -> None:
    from gridwork.accounts.access import AREAS_VIEW, REGISTER_VIEW, scope_codes

    user = district.users[who]
    codes = scope_codes(user, REGISTER_VIEW)
    for model in (Person, Household):
        assert set(model.objects.visible_to(user).values_list("pk", flat=True)) == _old_visible(
            model, codes, "grid_id"
        )
    assert set(Area.objects.visible_to(user).values_list("pk", flat=True)) == _old_visible(
        Area, scope_codes(user, AREAS_VIEW), "code"
    )


def test_in_area_and_subtree(district: District) -> None:
    assert set(Person.objects.in_area(GRID_A1).values_list("grid_id", flat=True)) == {GRID_A1}
    street = GRID_B1[:9]
    assert {a.code for a in Area.objects.subtree(street)} == {
        code for code in Area.objects.values_list("code", flat=True) if code.startswith(street)
    }

"""The track's numbers on their own: flagging, length without flagged fixes, share inside."""

from __future__ import annotations

import datetime as dt

import pytest
from shapely.geometry import box

from gridwork.fieldwork import patrols_metrics as m

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
# 0.001° of latitude is ~111.2 m anywhere; of longitude at 40° N ~85.2 m.
DLAT_M = 111.195


def fix(seconds: float, lon: float, lat: float, accuracy: float | None = 5) -> m.Fix:
    return m.Fix(T0 + dt.timedelta(seconds=seconds), lon, lat, accuracy)


def test_haversine_matches_a_degree_of_latitude() -> None:
    assert m.haversine_m(116.0, 40.0, 116.0, 40.001) == pytest.approx(DLAT_M, rel=1e-3)


def test_poor_accuracy_is_flagged_and_left_out_of_the_length() -> None:
    fixes = [fix(0, 116.0, 40.0), fix(60, 116.0, 40.0005, accuracy=200), fix(120, 116.0, 40.001)]
    flags = m.flag_fixes(fixes)
    assert flags == ["", m.ACCURACY, ""]
    result = m.measure(fixes, flags, None)
    assert result.length_m == pytest.approx(DLAT_M, rel=1e-3)
    assert (result.fix_count, result.flagged_count) == (3, 1)


def test_a_jump_faster_than_walking_is_flagged_and_the_next_fix_is_judged_from_the_last_kept() -> None:
    # 10 s after the first fix the phone claims ~1.1 km away: 111 m/s; then back near the start.
    fixes = [fix(0, 116.0, 40.0), fix(10, 116.0, 40.01), fix(70, 116.0, 40.0005)]
    flags = m.flag_fixes(fixes)
    assert flags == ["", m.SPEED, ""]
    assert m.measure(fixes, flags, None).length_m == pytest.approx(DLAT_M / 2, rel=1e-3)


def test_walking_pace_and_standing_jitter_are_kept() -> None:
    # 1.5 m/s for a minute (90 m), then 10 m of noise within two seconds.
    fixes = [fix(0, 116.0, 40.0), fix(60, 116.0, 40.0 + 90 / DLAT_M / 1000), fix(62, 116.0001, 40.0008)]
    assert m.flag_fixes(fixes) == ["", "", ""]


def test_last_kept_fix_of_an_earlier_batch_is_the_reference() -> None:
    earlier = fix(0, 116.0, 40.0)
    assert m.flag_fixes([fix(5, 116.0, 40.01)], last_kept=earlier) == [m.SPEED]
    assert m.flag_fixes([fix(5, 116.0, 40.01)]) == [""]


def test_share_inside_is_the_part_of_the_length_within_the_boundary() -> None:
    grid = box(116.0, 40.0, 116.01, 40.01)
    # From the middle of the grid to 0.005° beyond its east edge: half inside, half outside.
    points = [(116.005, 40.005), (116.015, 40.005)]
    assert m.inside_share(points, grid) == pytest.approx(0.5, abs=1e-3)
    assert m.inside_share([(116.001, 40.001), (116.002, 40.002)], grid) == pytest.approx(1.0)
    assert m.inside_share([(117.0, 41.0), (117.001, 41.0)], grid) == 0.0


def test_share_of_one_point_or_none() -> None:
    grid = box(116.0, 40.0, 116.01, 40.01)
    assert m.inside_share([(116.005, 40.005)], grid) == 1.0
    assert m.inside_share([(116.02, 40.005)], grid) == 0.0
    assert m.inside_share([], grid) is None
    assert m.inside_share([(116.005, 40.005)], None) is None


def test_flagged_fixes_do_not_count_towards_the_share() -> None:
    grid = box(116.0, 40.0, 116.01, 40.01)
    fixes = [fix(0, 116.002, 40.005), fix(30, 116.5, 40.005), fix(60, 116.003, 40.005)]
    flags = m.flag_fixes(fixes)
    assert flags == ["", m.SPEED, ""]
    assert m.measure(fixes, flags, grid).inside_share == pytest.approx(1.0)

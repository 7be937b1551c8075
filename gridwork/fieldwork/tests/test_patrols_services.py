"""Patrol services: one open patrol, batches of fixes (idempotent, refusals), metrics, findings → cases."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from gridwork.cases.models import Case, Source
from gridwork.conftest import GRID_A1, GRID_A2
from gridwork.core.errors import Conflict, NotFound
from gridwork.core.models import AuditEvent
from gridwork.fieldwork import patrols_services as services
from gridwork.fieldwork.patrols_models import FixFlag, PatrolFix, PatrolStatus

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
DLAT_M = 111.195  # metres per 0.001° of latitude


def fixes_from(start: dt.datetime, points: list[tuple[float, float, float]], every: int = 60) -> list[dict]:
    return [
        {
            "at": (start + dt.timedelta(seconds=every * (n + 1))).isoformat(),
            "lon": lon,
            "lat": lat,
            "accuracy_m": acc,
        }
        for n, (lon, lat, acc) in enumerate(points)
    ]


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path  # photos in a throwaway folder


@pytest.fixture
def patrol(district: Any) -> Any:
    started = timezone.now() - dt.timedelta(hours=1)
    return services.start_patrol(district.users["worker_a1"], at=started)


def test_a_worker_has_one_open_patrol(district: Any, patrol: Any) -> None:
    assert patrol.grid_id == GRID_A1 and patrol.status == PatrolStatus.OPEN
    with pytest.raises(Conflict):
        services.start_patrol(district.users["worker_a1"])
    # The member of the same grid patrols on their own.
    assert services.start_patrol(district.users["member_a1"]).worker == district.users["member_a1"]


@pytest.mark.parametrize("who", ["nobody", "centre_a", "street_a", "department"])
def test_only_grid_roles_patrol(district: Any, who: str) -> None:
    with pytest.raises(PermissionDenied):
        services.start_patrol(district.users[who])


def test_a_grid_not_ones_own_is_refused(district: Any) -> None:
    with pytest.raises(ValidationError):
        services.start_patrol(district.users["worker_a1"], grid=GRID_A2)


def test_a_start_in_the_future_is_refused(district: Any) -> None:
    with pytest.raises(ValidationError):
        services.start_patrol(district.users["worker_a1"], at=timezone.now() + dt.timedelta(hours=1))


def test_a_batch_sent_twice_is_stored_once(district: Any, patrol: Any) -> None:
    batch = fixes_from(patrol.started_at, [(116.605, 39.905, 8), (116.605, 39.9055, 8)])
    first = services.add_fixes(district.users["worker_a1"], patrol.pk, batch)
    again = services.add_fixes(district.users["worker_a1"], patrol.pk, batch)
    assert (first.stored, first.duplicates) == (2, 0)
    assert (again.stored, again.duplicates) == (0, 2)
    assert PatrolFix.objects.filter(patrol=patrol).count() == 2
    # Overlapping batches: only the new moment is added.
    overlap = services.add_fixes(
        district.users["worker_a1"],
        patrol.pk,
        [*batch[1:], *fixes_from(patrol.started_at, [(0, 0, 0)] * 2 + [(116.605, 39.906, 8)])[2:]],
    )
    assert (overlap.stored, overlap.duplicates) == (1, 1)


@translation.override("en")
def test_bad_fixes_are_returned_with_reasons_and_good_ones_kept(district: Any, patrol: Any) -> None:
    good = fixes_from(patrol.started_at, [(116.605, 39.905, 8)])
    future = {"at": (timezone.now() + dt.timedelta(hours=2)).isoformat(), "lon": 116.605, "lat": 39.905}
    elsewhere = {"at": (patrol.started_at + dt.timedelta(minutes=5)).isoformat(), "lon": 121.47, "lat": 31.23}
    before = {"at": (patrol.started_at - dt.timedelta(minutes=5)).isoformat(), "lon": 116.605, "lat": 39.905}
    result = services.add_fixes(
        district.users["worker_a1"], patrol.pk, [future, *good, elsewhere, "junk", {"at": "soon"}, before]
    )
    assert result.stored == 1
    reasons = {r["index"]: r["reason"] for r in result.rejected}
    assert set(reasons) == {0, 2, 3, 4, 5}
    assert "future" in reasons[0]
    assert "city" in reasons[2]
    assert "older than the patrol" in reasons[5]


def test_only_the_patrols_worker_adds_fixes(district: Any, patrol: Any) -> None:
    batch = fixes_from(patrol.started_at, [(116.605, 39.905, 8)])
    with pytest.raises(PermissionDenied):  # sees the grid's patrol, but it is not theirs
        services.add_fixes(district.users["member_a1"], patrol.pk, batch)
    with pytest.raises(NotFound):  # another grid: as if it did not exist
        services.add_fixes(district.users["worker_a2"], patrol.pk, batch)


def test_end_computes_length_without_flagged_fixes_and_share_inside(district: Any, patrol: Any) -> None:
    # North along lon 116.605 (inside GRID_A1, 116.60–116.61), one wild fix, then over the east edge.
    points = [
        (116.605, 39.905, 5),
        (116.605, 39.906, 5),
        (116.605, 39.907, 300),  # poor accuracy
        (116.65, 39.906, 5),  # ~3.8 km in a minute: a jump
        (116.605, 39.907, 5),
    ]
    services.add_fixes(district.users["worker_a1"], patrol.pk, fixes_from(patrol.started_at, points))
    ended = services.end_patrol(district.users["worker_a1"], patrol.pk)
    assert ended.status == PatrolStatus.ENDED and ended.ended_at is not None
    assert ended.length_m == pytest.approx(2 * DLAT_M, rel=1e-3)
    assert (ended.fix_count, ended.flagged_count) == (5, 2)
    assert ended.inside_share == pytest.approx(1.0)
    flags = list(PatrolFix.objects.filter(patrol=patrol).order_by("at").values_list("flag", flat=True))
    assert flags == ["", "", FixFlag.ACCURACY, FixFlag.SPEED, ""]
    assert AuditEvent.objects.filter(object_type="fieldwork.patrol", object_id=str(patrol.pk)).count() == 3
    with pytest.raises(Conflict):
        services.end_patrol(district.users["worker_a1"], patrol.pk)
    with pytest.raises(Conflict):
        services.add_fixes(district.users["worker_a1"], patrol.pk, fixes_from(timezone.now(), []))


def test_share_inside_counts_the_part_beyond_the_boundary(district: Any, patrol: Any) -> None:
    # From 116.6085 to 116.6115 at walking pace in small steps: the grid's east edge is 116.61.
    points = [(116.6085 + 0.0003 * n, 39.905, 5) for n in range(11)]
    services.add_fixes(
        district.users["worker_a1"], patrol.pk, fixes_from(patrol.started_at, points, every=30)
    )
    ended = services.end_patrol(district.users["worker_a1"], patrol.pk)
    assert ended.inside_share == pytest.approx(0.5, abs=0.01)
    assert ended.flagged_count == 0


def test_a_finding_becomes_a_case_once(district: Any, patrol: Any) -> None:
    worker = district.users["worker_a1"]
    finding = services.add_finding(
        worker, patrol.pk, note="楼道堆放纸箱\n三单元一层", lon=116.606, lat=39.906, photo=PNG
    )
    assert finding.photo.name.endswith(".png")
    case = services.finding_to_case(worker, finding.pk)
    assert case.source == Source.PATROL and case.grid_id == GRID_A1
    assert (case.lon, case.lat) == (116.606, 39.906)
    assert case.title == "楼道堆放纸箱" and "三单元一层" in case.description
    assert case.photos.count() == 1
    finding.refresh_from_db()
    assert finding.case_id == case.pk
    with pytest.raises(Conflict):
        services.finding_to_case(worker, finding.pk)
    with pytest.raises(NotFound):
        services.finding_to_case(district.users["worker_b1"], finding.pk)
    assert Case.objects.count() == 1


def test_a_finding_without_a_place_takes_the_last_kept_fix(district: Any, patrol: Any) -> None:
    worker = district.users["worker_a1"]
    services.add_fixes(
        worker, patrol.pk, fixes_from(patrol.started_at, [(116.607, 39.907, 5), (116.608, 39.908, 500)])
    )
    finding = services.add_finding(worker, patrol.pk, note="路灯不亮")
    case = services.finding_to_case(worker, finding.pk, category="C0105")
    assert (case.lon, case.lat) == (116.607, 39.907)


def test_bad_findings_are_refused_with_reasons(district: Any, patrol: Any) -> None:
    worker = district.users["worker_a1"]
    with pytest.raises(ValidationError) as caught:
        services.add_finding(worker, patrol.pk, note="", photo=b"not an image", lon=500, lat=1)
    assert {"note", "photo", "location"} <= set(caught.value.message_dict)
    with pytest.raises(ValidationError):
        services.add_finding(worker, patrol.pk, note="x", at=timezone.now() + dt.timedelta(hours=1))


def _metres_north(metres: float) -> float:
    return 39.905 + metres / (DLAT_M * 1000)


def test_batches_in_order_are_judged_against_the_last_kept_fix_of_the_earlier_batch(
    district: Any, patrol: Any
) -> None:
    worker, t0 = district.users["worker_a1"], patrol.started_at
    at = lambda s: (t0 + dt.timedelta(seconds=s)).isoformat()  # noqa: E731
    services.add_fixes(
        worker,
        patrol.pk,
        [{"at": at(60), "lon": 116.605, "lat": 39.905}, {"at": at(120), "lon": 116.65, "lat": 39.905}],
    )
    running = services.add_fixes(
        worker, patrol.pk, [{"at": at(180), "lon": 116.605, "lat": _metres_north(100)}]
    ).patrol
    assert running.length_m == pytest.approx(100, abs=0.5)
    assert (running.fix_count, running.flagged_count) == (3, 1)
    ended = services.end_patrol(worker, patrol.pk)
    assert (ended.length_m, ended.flagged_count) == (running.length_m, 1)


def test_a_late_batch_flags_the_whole_track_again(district: Any, patrol: Any) -> None:
    worker, t0 = district.users["worker_a1"], patrol.started_at
    at = lambda s: (t0 + dt.timedelta(seconds=s)).isoformat()  # noqa: E731
    # 90 m in 20 s is beyond 3 m/s plus the 20 m allowance; 45 m in 10 s twice is not.
    first = services.add_fixes(
        worker,
        patrol.pk,
        [
            {"at": at(60), "lon": 116.605, "lat": _metres_north(0)},
            {"at": at(80), "lon": 116.605, "lat": _metres_north(90)},
        ],
    ).patrol
    assert (first.flagged_count, first.length_m) == (1, 0)
    late = services.add_fixes(
        worker, patrol.pk, [{"at": at(70), "lon": 116.605, "lat": _metres_north(45)}]
    ).patrol
    assert late.flagged_count == 0
    assert late.length_m == pytest.approx(90, abs=0.5)
    assert list(PatrolFix.objects.filter(patrol=patrol).values_list("flag", flat=True)) == ["", "", ""]

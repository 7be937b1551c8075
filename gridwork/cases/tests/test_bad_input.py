"""Bad input gets clear errors and leaves nothing behind: no case, no entry, no file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from gridwork.cases import services
from gridwork.cases.errors import TransitionNotAllowed
from gridwork.cases.models import Case, CaseEvent, CasePhoto
from gridwork.cases.tests.helpers import JPEG, PNG, WEBP, report


def files() -> set[Path]:
    root = Path(settings.MEDIA_ROOT) / "cases"
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def nothing_written(counts: tuple[int, int, int]) -> bool:
    return (Case.objects.count(), CaseEvent.objects.count(), CasePhoto.objects.count()) == counts


def counts() -> tuple[int, int, int]:
    return Case.objects.count(), CaseEvent.objects.count(), CasePhoto.objects.count()


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


def field_errors(exc: pytest.ExceptionInfo) -> dict:
    return exc.value.message_dict


def test_unknown_and_non_leaf_categories(cd: Any) -> None:
    before = counts()
    for code in ("Z999", "", "E01"):
        with pytest.raises(ValidationError) as exc:
            report(cd, category=code)
        assert "category" in field_errors(exc)
    assert nothing_written(before)


def test_point_outside_every_grid(cd: Any) -> None:
    before = counts()
    with pytest.raises(ValidationError) as exc:
        services.report_case(
            cd.users["worker_a1"], category="E0104", title="x", source="patrol", lon=100.0, lat=30.0
        )
    assert field_errors(exc)["location"]
    with pytest.raises(ValidationError) as exc:
        services.report_case(
            cd.users["worker_a1"], category="E0104", title="x", source="patrol", lon="a", lat=1
        )
    assert field_errors(exc)["location"]
    with pytest.raises(ValidationError):
        services.report_case(cd.users["worker_a1"], category="E0104", title="x", source="patrol")
    assert nothing_written(before)


def test_grid_from_building_and_person_in_scope_only(cd: Any) -> None:
    from gridwork.conftest import GRID_A1, GRID_B1

    case = services.report_case(
        cd.users["worker_a1"],
        category="E0104",
        title="x",
        source="visit",
        building_id=cd.buildings[GRID_A1].pk,
    )
    assert case.grid_id == GRID_A1 and case.lon == cd.buildings[GRID_A1].lon
    case = services.report_case(
        cd.users["centre_a"], category="S0101", title="x", source="visit", person_id=cd.people[GRID_A1].pk
    )
    assert case.grid_id == GRID_A1
    with pytest.raises(ValidationError) as exc:
        services.report_case(
            cd.users["worker_a1"],
            category="E0104",
            title="x",
            source="visit",
            building_id=cd.buildings[GRID_B1].pk,
        )
    assert "building" in field_errors(exc)


def test_anonymous_residents_report_only_as_residents_with_a_contact(cd: Any) -> None:
    before = counts()
    with pytest.raises(PermissionDenied):
        report(cd, None, source="patrol")
    with pytest.raises(ValidationError) as exc:
        report(cd, None, source="resident")
    assert "reporter_phone" in field_errors(exc)
    with pytest.raises(ValidationError):
        report(cd, None, source="resident", reporter_name="李四", reporter_phone="12345")
    with pytest.raises(ValidationError):
        report(
            cd, None, source="resident", reporter_name="李四", reporter_phone="13800001111", track="routine"
        )
    assert nothing_written(before)


def test_photos_must_be_real_images_within_the_limit(cd: Any, settings: Any) -> None:
    settings.CASES_PHOTO_MAX_BYTES = 1000
    before, before_files = counts(), files()
    for bad in (b"GIF89a" + b"\x00" * 40, b"%PDF-1.4" + b"\x00" * 40, b"\xff\xd8", PNG + b"\x00" * 1000):
        with pytest.raises(ValidationError) as exc:
            report(cd, photos=[JPEG, bad])
        assert "photos" in field_errors(exc)
    assert nothing_written(before) and files() == before_files
    case = report(cd, photos=[SimpleUploadedFile("a.exe", JPEG), WEBP, ("b.png", PNG)])
    kinds = sorted(case.photos.values_list("content_type", flat=True))
    assert kinds == ["image/jpeg", "image/png", "image/webp"]
    assert all(
        ".exe" not in p.file.name and Path(p.file.path).read_bytes()[:3] in (JPEG[:3], PNG[:3], WEBP[:3])
        for p in case.photos.all()
    )
    before = snapshot_case(case)
    with pytest.raises(ValidationError):
        services.act(cd.users["centre_a"], case.pk, "accept", photos=[b"not an image at all, really"])
    assert snapshot_case(case) == before


def snapshot_case(case: Case) -> tuple:
    case = Case.objects.get(pk=case.pk)
    return case.status, case.version, case.events.count(), case.photos.count()


def test_a_failure_after_the_photos_were_stored_removes_them(cd: Any, monkeypatch: Any) -> None:
    case = report(cd)
    before_files, before = files(), snapshot_case(case)

    def broken_audit(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("audit log unavailable")

    # The audit entry is written after the photos are stored: its failure must take them away again.
    monkeypatch.setattr("gridwork.core.audit.log", broken_audit)
    with pytest.raises(RuntimeError):
        services.act(cd.users["centre_a"], case.pk, "accept", photos=[PNG, JPEG])
    with pytest.raises(RuntimeError):
        report(cd, photos=[PNG])
    assert files() == before_files and snapshot_case(case) == before
    assert Case.objects.count() == 1


def test_missing_reason_and_bad_params(cd: Any) -> None:
    case = report(cd)
    before = snapshot_case(case)
    with pytest.raises(ValidationError) as exc:
        services.act(cd.users["centre_a"], case.pk, "reject")
    assert "note" in field_errors(exc)
    with pytest.raises(ValidationError):
        services.act(cd.users["centre_a"], case.pk, "accept", track="fast")
    with pytest.raises(ValidationError):
        services.act(cd.users["centre_a"], case.pk, "accept", category="nope")
    with pytest.raises(ValidationError):
        services.act(cd.users["centre_a"], case.pk, "accept", colour="red")
    with pytest.raises(ValidationError):
        services.act(cd.users["centre_a"], case.pk, "extend", note="x", amount=-1)
    with pytest.raises(TransitionNotAllowed):
        services.act(cd.users["centre_a"], case.pk, "handle")
    with pytest.raises(ValidationError):
        services.rate_case(None, case.tracking_code, 6)
    with pytest.raises(TransitionNotAllowed):
        services.rate_case(None, case.tracking_code, 5)
    assert snapshot_case(case) == before

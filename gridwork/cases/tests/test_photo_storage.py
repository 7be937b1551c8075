"""Case photos are kept private on disk and served as the image type their bytes were checked to be."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache

from gridwork.cases.models import Case
from gridwork.cases.tests.api_helpers import upload
from gridwork.cases.tests.helpers import PNG
from gridwork.cases.tests.test_api_public import resident_report


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> Any:
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    yield
    cache.clear()


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_photo_files_and_folders_are_gridworks_alone(cd: Any, settings: Any) -> None:
    response = resident_report(photo=upload("p.png", PNG, "image/png"))
    assert response.status_code == 201, response.content
    photo = Case.objects.get(tracking_code=response.json()["tracking_code"]).photos.get()
    path = Path(photo.file.path)
    assert _mode(path) == 0o600
    folder = path.parent
    while folder != Path(settings.MEDIA_ROOT).parent:
        assert _mode(folder) == 0o700, folder
        folder = folder.parent


def test_photo_is_served_as_an_image_of_its_checked_type(cd: Any) -> None:
    response = resident_report(photo=upload("p.html", PNG, "text/html"))
    case = Case.objects.get(tracking_code=response.json()["tracking_code"])
    photo = case.photos.get()
    served = cd.client("centre_a").get(f"/cases/{case.pk}/photos/{photo.pk}/")
    assert served.status_code == 200
    assert served["Content-Type"] == "image/png"  # not the uploader's text/html
    assert served["X-Content-Type-Options"] == "nosniff"
    assert served["Content-Disposition"] == f'inline; filename="photo-{photo.pk}.png"'
    assert served["Cache-Control"] == "no-store"
    assert b"".join(served.streaming_content) == PNG

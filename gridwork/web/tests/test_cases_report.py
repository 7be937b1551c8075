"""The staff report form: access, a case with a photo, refusals, possible duplicates."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from gridwork.cases.models import Case, CasePhoto
from gridwork.cases.tests.conftest import POINTS
from gridwork.cases.tests.helpers import report
from gridwork.conftest import GRID_A1, GRID_B1, District
from gridwork.web.tests.case_pages import tiny_png
from gridwork.web.tests.helpers import assert_login_redirect, html

LON, LAT = POINTS[GRID_A1]


def form(**extra: object) -> dict[str, object]:
    data: dict[str, object] = {
        "category": "E0104",
        "title": "楼道堆放杂物",
        "description": "三单元一层",
        "lon": str(LON),
        "lat": str(LAT),
        "source": "patrol",
    }
    data.update(extra)
    return data


def test_report_form_ladder(cd: District) -> None:
    assert_login_redirect(cd.client(None).get("/cases/new/"))
    assert cd.client("nobody").get("/cases/new/").status_code == 403
    # A department handler sees dispatched cases but does not file them.
    assert cd.client("department").get("/cases/new/").status_code == 403
    for who in ("worker_a1", "member_a1", "centre_a", "street_a"):
        response = cd.client(who).get("/cases/new/")
        assert response.status_code == 200, who
        assert 'accept="image/*"' in html(response) and "capture" in html(response)
    # The building picker offers only buildings in the user's scope.
    body = html(cd.client("worker_a1").get("/cases/new/"))
    assert f'value="{cd.buildings[GRID_A1].pk}"' in body
    assert f'value="{cd.buildings[GRID_B1].pk}"' not in body


def test_report_creates_a_case_with_a_photo(cd: District, media) -> None:  # noqa: ANN001
    photo = SimpleUploadedFile("IMG_0001.png", tiny_png(), content_type="image/png")
    response = cd.client("worker_a1").post("/cases/new/", form(photos=[photo]))
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"
    assert (case.title, case.grid_id, case.source, case.reporter_id) == (
        "楼道堆放杂物",
        GRID_A1,
        "patrol",
        cd.users["worker_a1"].pk,
    )
    assert case.track == "coordination"  # the category's default
    [stored] = CasePhoto.objects.filter(case=case)
    assert stored.content_type == "image/png" and stored.size == len(tiny_png())
    assert "IMG_0001" not in stored.file.name
    assert (media / stored.file.name).read_bytes() == tiny_png()


def test_report_with_a_building_and_a_chosen_track(cd: District) -> None:
    building = cd.buildings[GRID_A1]
    data = form(lon="", lat="", building=str(building.pk), track="routine", category="E0101")
    assert cd.client("worker_a1").post("/cases/new/", data).status_code == 302
    case = Case.objects.get()
    assert (case.building_id, case.grid_id, case.track, case.status) == (
        building.pk,
        GRID_A1,
        "routine",
        "on_site",
    )


def test_report_refuses_a_non_image_and_keeps_the_input(cd: District, media) -> None:  # noqa: ANN001
    fake = SimpleUploadedFile("photo.png", b"%PDF-1.4 this is not a picture", content_type="image/png")
    response = cd.client("worker_a1").post(
        "/cases/new/", form(photos=[fake]), headers={"accept-language": "en"}
    )
    assert response.status_code == 422
    assert "JPEG, PNG" in html(response)
    assert "楼道堆放杂物" in html(response)  # what was typed stays in the form
    assert Case.objects.count() == 0 and not list(media.rglob("*.*"))


def test_report_refuses_bad_input(cd: District) -> None:
    client = cd.client("worker_a1")
    for data in (
        form(category="X9999"),
        form(title=""),
        form(lon="", lat=""),
        form(lon="0", lat="0"),  # outside every grid
        form(lon="116.6", lat=""),
    ):
        assert client.post("/cases/new/", data).status_code == 422, data
    assert Case.objects.count() == 0


def test_report_outside_the_users_grid_is_refused(cd: District) -> None:
    lon, lat = POINTS[GRID_B1]
    response = cd.client("worker_a1").post("/cases/new/", form(lon=str(lon), lat=str(lat)))
    assert response.status_code == 422 and Case.objects.count() == 0


def test_possible_duplicates_are_scoped(cd: District) -> None:
    existing = report(cd, "worker_a1", title="已有的堆物")
    url = f"/cases/new/duplicates/?category=E0104&lon={LON + 0.0003}&lat={LAT}"
    response = cd.client("worker_a1").get(url, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert existing.title in html(response) and f"/cases/{existing.pk}/" in html(response)
    assert existing.title not in html(cd.client("worker_b1").get(url))
    # Another category, or far away: nothing.
    assert existing.title not in html(cd.client("worker_a1").get(url.replace("E0104", "E0101")))
    lon_b, lat_b = POINTS[GRID_B1]
    far = f"/cases/new/duplicates/?category=E0104&lon={lon_b}&lat={lat_b}"
    assert existing.title not in html(cd.client("street_a").get(far))
    # By the building's position.
    near = f"/cases/new/duplicates/?category=E0104&building={cd.buildings[GRID_A1].pk}"
    assert existing.title in html(cd.client("worker_a1").get(near))
    assert_login_redirect(cd.client(None).get(url))
    assert cd.client("nobody").get(url).status_code == 403


def test_merge_form_offers_the_duplicates(cd: District) -> None:
    first = report(cd, "worker_a1", title="第一次报告")
    second = report(cd, "worker_a1", title="第二次报告")
    page = cd.client("centre_a").get(f"/cases/{second.pk}/")
    assert [c.pk for c in page.context["merge_candidates"]] == [first.pk]
    response = cd.client("centre_a").post(
        f"/cases/{second.pk}/act/merge/", {"into": str(first.pk), "version": second.version}
    )
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.status == "merged" and second.merged_into_id == first.pk
    assert f"/cases/{first.pk}/" in html(cd.client("centre_a").get(f"/cases/{second.pk}/"))

"""Resident pages without an account: report, tracking code, the public timeline, rating."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from gridwork.cases.models import Case, CaseEvent
from gridwork.cases.tests.conftest import POINTS, URBAN
from gridwork.cases.tests.helpers import do
from gridwork.conftest import GRID_A1, District
from gridwork.web.tests.case_pages import tiny_png
from gridwork.web.tests.helpers import html

LON, LAT = POINTS[GRID_A1]
NAME, PHONE = "李四海", "13987654321"


def resident_form(**extra: object) -> dict[str, object]:
    data: dict[str, object] = {
        "category": "E0104",
        "description": "楼下有人乱堆建筑垃圾\n已经三天了",
        "address": "示例路1号东门",
        "lon": str(LON),
        "lat": str(LAT),
        "name": NAME,
        "phone": PHONE,
    }
    data.update(extra)
    return data


def test_public_pages_need_no_account(cd: District) -> None:
    for url in ("/report/", "/track/"):
        assert cd.client(None).get(url).status_code == 200, url
    # Without a report in this session there is no code to show.
    assert cd.client(None).get("/report/done/")["Location"] == "/report/"
    assert cd.client(None).get("/track/NOSUCHCODE99/").status_code == 404
    assert cd.client(None).post("/track/NOSUCHCODE99/rate/", {"rating": 5}).status_code == 404


def test_resident_report_tracking_code_and_a_timeline_without_personal_data(cd: District, media) -> None:  # noqa: ANN001
    client = cd.client(None)
    photo = SimpleUploadedFile("me.png", tiny_png(), content_type="image/png")
    response = client.post("/report/", resident_form(photos=[photo]))
    assert response.status_code == 302 and response["Location"] == "/report/done/"
    case = Case.objects.get()
    assert (case.source, case.status, case.reporter_id, case.reporter_name, case.reporter_phone) == (
        "resident",
        "submitted",
        None,
        NAME,
        PHONE,
    )
    assert case.title == "楼下有人乱堆建筑垃圾" and case.photos.count() == 1
    done = client.get("/report/done/")
    assert case.tracking_code in html(done)
    # Carried through the whole loop by staff with notes, then followed by the resident.
    do(cd, "centre_a", case, "accept", note="受理：王主任")
    do(cd, "centre_a", case, "dispatch", department=URBAN)
    do(cd, "department", case, "handle", note="张三已清理")
    do(cd, "worker_a1", case, "verify_pass", note="核查人 13800001111")
    do(cd, "worker_a1", case, "feedback", note="已清理完毕，感谢反映")
    follow = client.get(f"/track/?code={case.tracking_code.lower()}")
    assert follow["Location"] == f"/track/{case.tracking_code}/"
    body = html(client.get(follow["Location"]))
    assert "已清理完毕，感谢反映" in body  # the feedback is addressed to the resident
    for secret in (NAME, PHONE, "王主任", "张三", "13800001111", "worker_a1", "centre_a", "dept_other"):
        assert secret not in body, secret
    for user in cd.users.values():
        assert f">{user.username}<" not in body
    assert "楼下有人乱堆建筑垃圾" not in body  # the description may name people: staff only
    assert body.count('class="event"') == CaseEvent.objects.filter(case=case).count()


def test_rating_after_closing(cd: District) -> None:
    client = cd.client(None)
    client.post("/report/", resident_form())
    case = Case.objects.get()
    page = f"/track/{case.tracking_code}/"
    assert 'name="rating"' not in html(client.get(page))
    # Not before the case is closed.
    response = client.post(f"{page}rate/", {"rating": 5}, follow=True)
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    case.refresh_from_db()
    assert case.rating is None
    do(cd, "centre_a", case, "accept")
    do(cd, "centre_a", case, "dispatch", department=URBAN)
    do(cd, "department", case, "handle")
    do(cd, "worker_a1", case, "verify_pass")
    do(cd, "worker_a1", case, "feedback")
    assert 'name="rating"' in html(client.get(page))
    response = client.post(f"{page}rate/", {"rating": 9}, follow=True)
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    case.refresh_from_db()
    assert case.rating is None
    response = client.post(f"{page}rate/", {"rating": "4", "comment": "处理及时"}, follow=True)
    assert [m.level_tag for m in response.context["messages"]] == ["success"]
    case.refresh_from_db()
    assert (case.rating, case.rating_comment) == (4, "处理及时")
    assert CaseEvent.objects.filter(case=case, action="rate").count() == 1
    # Once only; the form is gone.
    assert 'name="rating"' not in html(client.get(page))
    client.post(f"{page}rate/", {"rating": 1})
    case.refresh_from_db()
    assert case.rating == 4
    assert cd.client(None).get(f"{page}rate/").status_code == 405


def test_resident_report_refusals(cd: District, media) -> None:  # noqa: ANN001
    client = cd.client(None)
    fake = SimpleUploadedFile("x.png", b"GIF89a not accepted here at all", content_type="image/png")
    two = [SimpleUploadedFile(f"{n}.png", tiny_png(), content_type="image/png") for n in range(2)]
    for data in (
        resident_form(name=""),
        resident_form(phone=""),
        resident_form(phone="12345"),
        resident_form(description=""),
        resident_form(lon="", lat=""),
        resident_form(category="NOPE"),
        resident_form(photos=[fake]),
        resident_form(photos=two),
    ):
        response = client.post("/report/", data)
        assert response.status_code == 422, data
        assert 'role="alert"' in html(response)
    assert Case.objects.count() == 0 and not list(media.rglob("*.*"))


def test_resident_report_needs_the_csrf_token(cd: District) -> None:
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert strict.post("/report/", resident_form()).status_code == 403
    assert Case.objects.count() == 0


def test_an_oversized_upload_is_refused_before_reading(cd: District, settings) -> None:  # noqa: ANN001
    settings.CASES_PHOTO_MAX_BYTES = 1024
    big = SimpleUploadedFile("big.png", tiny_png() + b"\x00" * 600_000, content_type="image/png")
    response = cd.client(None).post("/report/", resident_form(photos=[big]))
    assert response.status_code == 422 and Case.objects.count() == 0

"""A case page: the access ladder, masked contacts, the timeline, acting through the page."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from gridwork.accounts.models import RoleAssignment
from gridwork.cases.models import Case, CaseEvent
from gridwork.cases.tests.conftest import MUNICIPAL, URBAN
from gridwork.cases.tests.helpers import actions, do, report
from gridwork.conftest import District
from gridwork.web.tests.case_pages import tiny_png
from gridwork.web.tests.helpers import assert_login_redirect, html


def messages_of(response) -> list[str]:  # noqa: ANN001
    return [str(m) for m in response.context["messages"]]


def test_case_page_ladder(cd: District) -> None:
    case = report(cd, "worker_a1", title="东门乱堆物料")
    url = f"/cases/{case.pk}/"
    assert_login_redirect(cd.client(None).get(url))
    assert cd.client("nobody").get(url).status_code == 403
    assert cd.client("worker_b1").get(url).status_code == 404
    assert cd.client("street_b").get(url).status_code == 404
    assert cd.client("worker_a1").get("/cases/999999/").status_code == 404
    for who in ("worker_a1", "member_a1", "centre_a", "street_a", "district"):
        response = cd.client(who).get(url)
        assert response.status_code == 200, who
        assert case.title in html(response) and case.tracking_code in html(response)
    # A department handler sees the case once it has been dispatched to that department, and only then.
    assert cd.client("department").get(url).status_code == 404
    do(cd, "centre_a", case, "accept")
    do(cd, "centre_a", case, "dispatch", department=URBAN)
    response = cd.client("department").get(url)
    assert response.status_code == 200
    assert {form["action"] for form in response.context["forms"]} >= {"handle", "return"}
    assert cd.client("dept_other").get(url).status_code == 404


def test_reporter_contact_is_masked(cd: District) -> None:
    case = report(
        cd, None, source="resident", reporter_name="王小明", reporter_phone="13912345678", title="噪音"
    )
    body = html(cd.client("centre_a").get(f"/cases/{case.pk}/"))
    assert case.reporter_phone_masked in body and case.reporter_name_masked in body
    assert "13912345678" not in body and "王小明" not in body


def test_page_shows_the_actions_allowed_now(cd: District) -> None:
    case = report(cd, "worker_a1")
    assert cd.client("worker_a1").get(f"/cases/{case.pk}/").context["forms"] == []
    forms = cd.client("centre_a").get(f"/cases/{case.pk}/").context["forms"]
    assert {f["action"] for f in forms} >= {"accept", "reject", "merge", "suspend", "escalate"}
    assert [f["needs_note"] for f in forms if f["action"] == "reject"] == [True]


def test_acting_through_the_page_moves_the_case(cd: District, media) -> None:  # noqa: ANN001
    case = report(cd, "worker_a1")
    centre = cd.client("centre_a")
    response = centre.post(f"/cases/{case.pk}/act/accept/", {"version": case.version, "note": "已受理"})
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"
    case.refresh_from_db()
    assert case.status == "accepted"
    assert actions(case)[-1] == "accept"
    response = centre.post(
        f"/cases/{case.pk}/act/dispatch/", {"version": case.version, "department": MUNICIPAL}, follow=True
    )
    case.refresh_from_db()
    assert case.status == "dispatched" and case.holder_department == MUNICIPAL
    assert CaseEvent.objects.filter(case=case, action="dispatch", department=MUNICIPAL).exists()
    assert any("dispatched" in m or "派" in m for m in messages_of(response))
    # The department of the dispatch now sees it and handles it, with a photo and its position.
    do(cd, "centre_a", case, "extend", amount=1, unit="days")
    case.refresh_from_db()
    photo = SimpleUploadedFile("p.png", tiny_png(), content_type="image/png")
    handler = cd.client("dept_other")
    response = handler.post(
        f"/cases/{case.pk}/act/handle/",
        {"version": case.version, "note": "已修复", "lon": "116.6041", "lat": "39.9042", "photos": [photo]},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == "handled"
    event = CaseEvent.objects.get(case=case, action="handle")
    assert (event.note, event.lon, event.lat, event.actor_id) == (
        "已修复",
        116.6041,
        39.9042,
        cd.users["dept_other"].pk,
    )
    [stored] = event.photos.all()
    page = handler.get(f"/cases/{case.pk}/")
    assert f"/cases/{case.pk}/photos/{stored.pk}/" in html(page)
    assert "已修复" in html(page)
    # The photo is served inside the scope only.
    photo_url = f"/cases/{case.pk}/photos/{stored.pk}/"
    served = cd.client("worker_a1").get(photo_url)
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert b"".join(served.streaming_content) == tiny_png()
    assert cd.client("worker_b1").get(photo_url).status_code == 404
    assert cd.client("worker_a1").get(f"/cases/{case.pk}/photos/{stored.pk + 1}/").status_code == 404


def _unchanged(case: Case) -> tuple:
    fresh = Case.objects.get(pk=case.pk)
    return fresh.status, fresh.version, fresh.holder_key, CaseEvent.objects.filter(case=case).count()


def test_illegal_actions_show_an_error_and_change_nothing(cd: District) -> None:
    case = report(cd, "worker_a1")
    before = _unchanged(case)
    url = f"/cases/{case.pk}/act"
    attempts = [
        ("centre_a", "handle", {}),  # not possible while submitted
        ("worker_a1", "accept", {}),  # a grid worker may not accept
        ("centre_a", "reject", {}),  # a reason is required
        ("centre_a", "dispatch", {}),  # not before acceptance
        ("centre_a", "accept", {"version": case.version + 5}),  # someone else changed it
        ("centre_a", "merge", {"into": case.pk}),  # not into itself
        ("centre_a", "report", {}),  # not a transition
    ]
    for who, action, data in attempts:
        response = cd.client(who).post(f"{url}/{action}/", data, follow=True)
        assert response.status_code == 200, (who, action)
        errors = [m for m in response.context["messages"] if m.level_tag == "error"]
        assert errors, (who, action)
        assert _unchanged(case) == before, (who, action)
    # Outside the scope: 404, as if there were no such case; unknown actions too.
    assert cd.client("worker_b1").post(f"{url}/accept/").status_code == 404
    assert cd.client("centre_a").post(f"{url}/fly/").status_code == 404
    assert cd.client("centre_a").get(f"{url}/accept/").status_code == 405
    assert_login_redirect(cd.client(None).post(f"{url}/accept/"))
    assert cd.client("nobody").post(f"{url}/accept/").status_code == 403
    assert _unchanged(case) == before


def test_a_bad_photo_on_an_action_changes_nothing(cd: District, media) -> None:  # noqa: ANN001
    case = report(cd, "worker_a1", category="E0101")  # routine, on the spot
    before = _unchanged(case)
    fake = SimpleUploadedFile("p.png", b"not an image at all, really", content_type="image/png")
    response = cd.client("worker_a1").post(f"/cases/{case.pk}/act/resolve/", {"photos": [fake]}, follow=True)
    assert any("JPEG" in str(m) for m in response.context["messages"])
    assert _unchanged(case) == before
    assert not list(media.rglob("*.png"))


def test_dispatch_offers_a_department_that_only_has_a_handler(cd: District) -> None:
    """A department can hold a handler's role without being any category's default: the dispatch
    form must offer it, or its handler never receives a case from the pages."""
    RoleAssignment.objects.create(
        user=cd.users["dept_other"], role="department_handler", area_id="110112", department="区园林绿化局"
    )
    case = report(cd, "worker_a1")
    do(cd, "centre_a", case, "accept")
    page = html(cd.client("centre_a").get(f"/cases/{case.pk}/"))
    assert '<option translate="no" value="区园林绿化局"' in page
    assert f'value="{URBAN}"' in page

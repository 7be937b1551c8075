"""A person's page is masked (no birth date, only the age); a reveal needs a reason, is audited, and
shows the full values in its one answer: the next view is masked again."""

from __future__ import annotations

from gridwork.conftest import GRID_A1, District
from gridwork.core.models import AuditEvent
from gridwork.web.tests.helpers import assert_login_redirect, html

SENSITIVE_GROUP = "社区矫正人员"  # community corrections: sensitivity 3
NORMAL_GROUP = "独居老人"  # elderly living alone: sensitivity 1


def _urls(district: District) -> tuple[str, str]:
    pk = district.people[GRID_A1].pk
    return f"/people/{pk}/", f"/people/{pk}/reveal/"


def test_person_page_is_masked_and_hides_sensitive_tags(district: District) -> None:
    person = district.people[GRID_A1]
    body = html(district.client("worker_a1").get(_urls(district)[0]))
    assert person.id_number_masked in body and person.phone_masked in body
    assert person.id_number not in body and person.phone not in body
    assert NORMAL_GROUP in body
    assert SENSITIVE_GROUP not in body
    assert 'name="reason"' in body
    assert (
        person.birth_date.strftime("%Y-%m-%d") not in body
        and person.birth_date.strftime("%Y%m%d") not in body
    )


def test_reveal_requires_a_reason(district: District) -> None:
    page, url = _urls(district)
    client = district.client("worker_a1")
    for reason in ("", "ab"):
        response = client.post(url, {"reason": reason})
        assert response.status_code == 400
        assert response.context["form"].errors["reason"]
        assert district.people[GRID_A1].id_number not in html(response)
    assert not AuditEvent.objects.filter(action="reveal").exists()
    assert district.people[GRID_A1].id_number not in html(client.get(page))


def test_reveal_is_audited_and_shows_full_values(district: District) -> None:
    person = district.people[GRID_A1]
    page, url = _urls(district)
    client = district.client("worker_a1")
    response = client.post(url, {"reason": "入户走访核实身份"})
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    event = AuditEvent.objects.get(action="reveal")
    assert event.actor_label == "worker_a1"
    assert event.object_id == str(person.pk)
    assert event.area_code == GRID_A1
    assert event.reason == "入户走访核实身份"
    body = html(response)
    assert person.id_number in body and person.phone in body
    assert SENSITIVE_GROUP in body
    # For that answer only: the next view, and any other session, is masked.
    assert person.id_number not in html(client.get(page))
    assert person.id_number not in html(district.client("street_a").get(page))


def test_reveal_by_htmx_swaps_the_identity_block(district: District) -> None:
    person = district.people[GRID_A1]
    _, url = _urls(district)
    client = district.client("street_a")
    response = client.post(url, {"reason": "核对低保信息"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    body = html(response)
    assert body.lstrip().startswith('<section class="card identity revealed" id="identity">')
    assert person.id_number in body
    refused = client.post(url, {"reason": ""}, headers={"HX-Request": "true"})
    assert refused.status_code == 200 and refused.context["form"].errors["reason"]


def test_reveal_ladder(district: District) -> None:
    _, url = _urls(district)
    data = {"reason": "入户走访核实身份"}
    assert_login_redirect(district.client(None).post(url, data))
    assert district.client("nobody").post(url, data).status_code == 403
    assert district.client("member_a1").post(url, data).status_code == 403  # a grid member may not reveal
    assert district.client("worker_b1").post(url, data).status_code == 404
    assert district.client("worker_a1").get(url).status_code == 405
    assert not AuditEvent.objects.filter(action="reveal").exists()


def test_member_sees_the_person_masked_without_a_reveal_form(district: District) -> None:
    body = html(district.client("member_a1").get(_urls(district)[0]))
    assert district.people[GRID_A1].id_number_masked in body
    assert 'name="reason"' not in body

"""Register writes over the API: through the services, scoped, validated in the caller's language."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.test import Client

from gridwork.api.tests.conftest import API, session_client
from gridwork.conftest import GRID_A1, GRID_B1, GRID_ORIGINS, District, make_id
from gridwork.core.models import AuditEvent, RecordHistory
from gridwork.registry.models import Person

EN = {"Accept-Language": "en"}
ZH = {"Accept-Language": "zh-hans"}


def _post(client: Client, url: str, data: dict[str, Any]) -> Any:
    return client.post(url, data, content_type="application/json")


def _new_person(district: District, **extra: Any) -> dict[str, Any]:
    return {
        "household": district.households[GRID_A1].pk,
        "relation": "spouse",
        "name": "新居民",
        "id_number": make_id(dt.date(1985, 3, 4), 77, "F"),
        "phone": "13912345678",
        **extra,
    }


def _errors(response: Any) -> dict[str, str]:
    assert response.status_code == 422, response.content
    return {e["field"]: e["message"] for e in response.json()["detail"]}


def test_create_person_ladder(district: District) -> None:
    url = f"{API}/persons"
    assert _post(session_client(district, None), url, _new_person(district)).status_code == 401
    # No role, or another grid: the household is not theirs to point at.
    assert "household" in _errors(_post(session_client(district, "nobody"), url, _new_person(district)))
    assert "household" in _errors(_post(session_client(district, "worker_b1"), url, _new_person(district)))
    # Naming the grid directly is refused as a matter of permission.
    direct = {k: v for k, v in _new_person(district).items() if k != "household"} | {"grid": GRID_A1}
    assert _post(session_client(district, "worker_b1"), url, direct).status_code == 403
    # Street staff read the register but do not change it.
    assert _post(session_client(district, "street_a"), url, _new_person(district)).status_code == 403
    assert not Person.objects.filter(name="新居民").exists()

    response = _post(session_client(district, "worker_a1"), url, _new_person(district))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["grid"] == GRID_A1 and body["sex"] == "F" and body["birth_year"] == 1985
    assert "13912345678" not in response.content.decode() and body["phone_masked"] == "139****5678"
    assert RecordHistory.objects.filter(object_type="registry.person", object_id=str(body["id"])).exists()
    # The acceptance centre above the grid keeps the register too.
    again = _new_person(district, id_number=make_id(dt.date(1986, 3, 4), 78, "M"), name="另一位")
    assert _post(session_client(district, "centre_a"), url, again).status_code == 201


def test_bad_id_number_names_the_field_in_the_callers_language(district: District) -> None:
    good = make_id(dt.date(1985, 3, 4), 77, "F")
    data = _new_person(district, id_number=good[:-1] + ("1" if good[-1] == "0" else "0"))
    errors = _errors(_post(session_client(district, "worker_a1", **EN), f"{API}/persons", data))
    assert errors["id_number"] == "The ID number's check digit is wrong."
    errors = _errors(_post(session_client(district, "worker_a1", **ZH), f"{API}/persons", data))
    assert errors["id_number"]  # the Chinese wording comes with the translations


def test_malformed_input_names_the_field(district: District) -> None:
    client = session_client(district, "worker_a1", **EN)
    errors = _errors(_post(client, f"{API}/persons", {"id_number": "x", "birth_date": "1990-13-45"}))
    assert errors == {"name": "This field is required.", "birth_date": "Enter a valid date."}
    errors = _errors(_post(session_client(district, "worker_a1", **ZH), f"{API}/persons", {"id_number": "x"}))
    assert errors["name"] and errors["name"] != "This field is required."  # Django's own translation
    assert bad_json_status(client) == 400
    # No body at all reads as an empty object: the missing field is named.
    assert "reason" in _errors(_post(client, f"{API}/persons/{district.people[GRID_A1].pk}/reveal", None))


def bad_json_status(client: Client) -> int:
    return client.post(f"{API}/persons", "{not json", content_type="application/json").status_code


def test_several_errors_at_once(district: District) -> None:
    data = _new_person(district, phone="123", sex="M")
    errors = _errors(_post(session_client(district, "worker_a1", **EN), f"{API}/persons", data))
    assert {"phone", "sex"} <= set(errors)


def test_update_person_ladder(district: District) -> None:
    person = district.people[GRID_A1]
    url = f"{API}/persons/{person.pk}"

    def patch(who: str | None, data: dict[str, Any], **headers: str) -> Any:
        return session_client(district, who, **headers).patch(url, data, content_type="application/json")

    assert patch(None, {"work": "教师"}).status_code == 401
    assert patch("nobody", {"work": "教师"}).status_code == 404
    assert patch("worker_a2", {"work": "教师"}).status_code == 404
    assert patch("street_a", {"work": "教师"}).status_code == 403
    response = patch("worker_a1", {"work": "教师", "phone": "13700001111"})
    assert response.status_code == 200, response.content
    assert response.json()["work"] == "教师" and response.json()["phone_masked"] == "137****1111"
    assert "phone" in _errors(patch("worker_a1", {"phone": "12"}, **EN))
    assert "name" in _errors(patch("worker_a1", {"name": None}, **EN))
    person.refresh_from_db()
    assert person.phone == "13700001111" and person.name == "测试1"


def test_create_building(district: District) -> None:
    lon, lat = GRID_ORIGINS[GRID_A1]
    data = {
        "code": "BNEW1",
        "number": "9号楼",
        "address": "示例路9号",
        "lon": lon + 0.004,
        "lat": lat + 0.006,
    }
    url = f"{API}/buildings"
    assert _post(session_client(district, None), url, data).status_code == 401
    assert _post(session_client(district, "worker_b1"), url, data).status_code == 403
    response = _post(session_client(district, "worker_a1"), url, data)
    assert response.status_code == 201, response.content
    assert response.json()["grid"] == GRID_A1
    # A point in another street's grid is not the worker's to register.
    blon, blat = GRID_ORIGINS[GRID_B1]
    far = data | {"code": "BNEW2", "lon": blon + 0.004, "lat": blat + 0.004}
    assert _post(session_client(district, "worker_a1"), url, far).status_code == 403
    nowhere = data | {"code": "BNEW3", "lon": 100.0, "lat": 30.0}
    assert "lon" in _errors(_post(session_client(district, "worker_a1", **EN), url, nowhere))
    assert "lon" in _errors(_post(session_client(district, "worker_a1", **EN), url, data | {"lon": "east"}))


def test_create_household(district: District) -> None:
    data = {"number": "HNEW", "house": district.houses[GRID_A1].pk}
    url = f"{API}/households"
    assert _post(session_client(district, None), url, data).status_code == 401
    assert "house" in _errors(_post(session_client(district, "worker_b1", **EN), url, data))
    response = _post(session_client(district, "worker_a1"), url, data)
    assert response.status_code == 201, response.content
    assert response.json()["grid"] == GRID_A1 and response.json()["members"] == []
    assert "number" in _errors(_post(session_client(district, "worker_a1", **EN), url, data))


def test_reveal_needs_a_reason_and_is_audited(district: District) -> None:
    person = district.people[GRID_A1]
    url = f"{API}/persons/{person.pk}/reveal"
    reveals = AuditEvent.objects.filter(action=AuditEvent.Action.REVEAL)
    assert _post(session_client(district, None), url, {"reason": "visit"}).status_code == 401
    assert _post(session_client(district, "nobody"), url, {"reason": "home visit"}).status_code == 404
    assert _post(session_client(district, "worker_a2"), url, {"reason": "home visit"}).status_code == 404
    # A grid member sees masked data only.
    assert _post(session_client(district, "member_a1"), url, {"reason": "home visit"}).status_code == 403
    client = session_client(district, "worker_a1", **EN)
    assert "reason" in _errors(_post(client, url, {}))
    assert "reason" in _errors(_post(client, url, {"reason": "  "}))
    assert not reveals.exists()

    response = _post(client, url, {"reason": "home visit today"})
    assert response.status_code == 200
    assert response.json() == {
        "id_number": person.id_number,
        "phone": person.phone,
        "birth_date": person.birth_date.isoformat(),
        "tags": ["elderly_alone", "community_correction"],
    }
    event = reveals.get()
    assert event.actor == district.users["worker_a1"]
    assert event.object_id == str(person.pk) and event.reason == "home visit today"
    assert _post(session_client(district, "street_a"), url, {"reason": "case review"}).status_code == 200
    assert reveals.count() == 2

"""Uniqueness answers: a value held outside the caller's scope answers only "already registered in
another area" (no name, no area, no id), and the attempt is in the audit log; inside it, as before."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from gridwork.api.tests.conftest import API, session_client
from gridwork.conftest import GRID_A1, GRID_B1, District
from gridwork.core.models import AuditEvent
from gridwork.registry import services
from gridwork.registry.models import Household, Person

ELSEWHERE = "Already registered in another area."


def _person(district: District, grid: str, id_number: str) -> dict:
    return {
        "household": district.households[grid].pk,
        "relation": "other",
        "name": "重复者",
        "id_number": id_number,
    }


def test_an_id_number_held_in_another_area_reveals_nothing(district: District) -> None:
    other = district.people[GRID_A1]
    client = session_client(district, "worker_b1", **{"Accept-Language": "en"})
    response = client.post(
        f"{API}/persons", _person(district, GRID_B1, other.id_number), content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["detail"] == [{"field": "id_number", "message": ELSEWHERE}]
    text = response.content.decode()
    assert other.name not in text and GRID_A1 not in text and str(other.pk) not in text.replace('"', "")
    event = AuditEvent.objects.get(action=AuditEvent.Action.UNIQUE_ELSEWHERE)
    assert event.actor == district.users["worker_b1"]
    assert event.object_type == "registry.person" and event.object_id == str(other.pk)
    assert event.detail == {"field": "id_number"}
    assert not Person.objects.filter(name="重复者").exists()


def test_an_id_number_held_in_ones_own_area_says_so(district: District) -> None:
    other = district.people[GRID_A1]
    client = session_client(district, "worker_a1", **{"Accept-Language": "en"})
    response = client.post(
        f"{API}/persons", _person(district, GRID_A1, other.id_number), content_type="application/json"
    )
    assert response.status_code == 422
    messages = [e["message"] for e in response.json()["detail"] if e["field"] == "id_number"]
    assert messages and ELSEWHERE not in messages
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.UNIQUE_ELSEWHERE).exists()


def test_a_household_number_held_in_another_area(district: District) -> None:
    with pytest.raises(ValidationError) as refused:
        services.save_record(
            district.users["worker_b1"], Household, {"number": f"H{GRID_A1}", "grid": GRID_B1}
        )
    assert refused.value.message_dict["number"] == [ELSEWHERE]
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.UNIQUE_ELSEWHERE, object_type="registry.household"
    ).exists()
    # The same number in one's own area keeps Django's own answer.
    with pytest.raises(ValidationError) as refused:
        services.save_record(
            district.users["worker_a1"], Household, {"number": f"H{GRID_A1}", "grid": GRID_A1}
        )
    assert refused.value.message_dict["number"] != [ELSEWHERE]

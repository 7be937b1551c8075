"""The offline queue: each entry stored exactly once, bad ones returned with their reason, and a
change made meanwhile on the server kept as a conflict for the worker to settle."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from gridwork.accounts import services as accounts
from gridwork.accounts.access import forget_assignments
from gridwork.cases import services as cases
from gridwork.cases.models import Case
from gridwork.conftest import GRID_A1, GRID_A2, GRID_ORIGINS, District
from gridwork.core.models import AuditEvent
from gridwork.core.system import SYSTEM
from gridwork.fieldwork.visit_models import Memo, SyncEntry, SyncResult, Visit
from gridwork.fieldwork.visit_sync import settle, sync_batch
from gridwork.registry import services as registry
from gridwork.registry.models import Person

pytestmark = pytest.mark.django_db

SYNC = "/api/v1/fieldwork/sync"
LON, LAT = GRID_ORIGINS[GRID_A1][0] + 0.004, GRID_ORIGINS[GRID_A1][1] + 0.004


def at(minutes_ago: int = 30) -> str:
    return (timezone.now() - dt.timedelta(minutes=minutes_ago)).isoformat()


def visit_entry(person: Person, **data: Any) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "kind": "visit",
        "at": at(),
        "lon": LON,
        "lat": LAT,
        "data": {"person_id": person.pk, "grid": person.grid_id, "findings": "身体好", **data},
    }


def memo_entry(person: Person, text: str = "反映楼道灯坏了") -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "kind": "memo",
        "at": at(20),
        "lon": LON,
        "lat": LAT,
        "data": {"person_id": person.pk, "grid": person.grid_id, "text": text},
    }


def statuses(results: list[dict[str, Any]]) -> list[str]:
    return [r["status"] for r in results]


def test_the_same_batch_twice_stores_each_entry_once(district: District) -> None:
    worker, person = district.users["worker_a1"], district.people[GRID_A1]
    batch = [visit_entry(person), memo_entry(person)]
    first = sync_batch(worker, batch)
    assert statuses(first) == ["stored", "stored"]
    again = sync_batch(worker, batch)
    assert statuses(again) == ["already", "already"]
    assert [r["object_id"] for r in again] == [r["object_id"] for r in first]
    assert Visit.objects.count() == 1 and Memo.objects.count() == 1
    # Written once, so logged once.
    assert AuditEvent.objects.filter(object_type="fieldwork.visit", action="create").count() == 1
    visit = Visit.objects.get()
    # The entry keeps its own time and fix, not the server's moment of arrival.
    assert visit.visited_at.isoformat() == dt.datetime.fromisoformat(batch[0]["at"]).isoformat()
    assert (visit.lon, visit.lat) == (LON, LAT)


def test_overlapping_batches_store_the_shared_entries_once(district: District) -> None:
    worker, person = district.users["worker_a1"], district.people[GRID_A1]
    a, b, c = visit_entry(person), memo_entry(person), memo_entry(person, "需要轮椅")
    assert statuses(sync_batch(worker, [a, b])) == ["stored", "stored"]
    assert statuses(sync_batch(worker, [b, c, a])) == ["already", "stored", "already"]
    assert Visit.objects.count() == 1 and Memo.objects.count() == 2
    assert SyncEntry.objects.filter(user=worker).count() == 3


def test_the_same_id_from_another_user_is_another_entry(district: District) -> None:
    person = district.people[GRID_A1]
    entry = memo_entry(person)
    assert statuses(sync_batch(district.users["worker_a1"], [entry])) == ["stored"]
    assert statuses(sync_batch(district.users["member_a1"], [entry])) == ["stored"]
    assert Memo.objects.count() == 2


def test_a_malformed_entry_among_good_ones(district: District) -> None:
    worker, person = district.users["worker_a1"], district.people[GRID_A1]
    future = visit_entry(person)
    future["at"] = (timezone.now() + dt.timedelta(days=1)).isoformat()
    far = memo_entry(person)
    far["lon"], far["lat"] = 121.47, 31.23
    batch = [
        visit_entry(person),
        "not an object",
        {"id": "not-a-uuid", "kind": "memo", "data": {}},
        {"id": str(uuid.uuid4()), "kind": "teleport", "data": {}},
        {"id": str(uuid.uuid4()), "kind": "memo", "data": {"grid": GRID_A1, "text": ""}},
        future,
        far,
        memo_entry(person),
    ]
    results = sync_batch(worker, batch)
    assert statuses(results) == ["stored"] + ["refused"] * 6 + ["stored"]
    reasons = [r.get("reason", "") for r in results]
    assert all(reasons[1:7]) and reasons[5].startswith("visited_at:") and reasons[6].startswith("lon:")
    assert Visit.objects.count() == 1 and Memo.objects.count() == 1
    # A refused entry is not kept: corrected and sent again under its id, it is stored.
    far["lon"], far["lat"] = LON, LAT
    assert statuses(sync_batch(worker, [far])) == ["stored"]


def test_an_entry_outside_the_workers_grid_is_refused(district: District) -> None:
    entry = {"id": str(uuid.uuid4()), "kind": "memo", "data": {"grid": GRID_A2, "text": "别的网格"}}
    assert statuses(sync_batch(district.users["worker_a1"], [entry])) == ["refused"]
    assert not Memo.objects.exists()


def test_a_person_moved_meanwhile_is_a_conflict_kept_to_settle(district: District) -> None:
    worker, person = district.users["worker_a1"], district.people[GRID_A1]
    entry = visit_entry(person)
    # Meanwhile the person's household moves to grid A2 (another worker's).
    registry.save_record(SYSTEM, Person, {"grid": GRID_A2, "household": None}, pk=person.pk)
    result = sync_batch(worker, [entry])
    assert statuses(result) == ["conflict"] and result[0]["code"] == "moved"
    assert not Visit.objects.exists()
    kept = SyncEntry.objects.get(user=worker)
    assert kept.result == SyncResult.CONFLICT and kept.payload["data"]["findings"] == "身体好"
    # Sent again, it is still a conflict, never silently dropped or stored twice.
    assert statuses(sync_batch(worker, [entry])) == ["conflict"]
    settled = settle(worker, entry["id"], keep=True)
    assert settled.result == SyncResult.SETTLED
    visit = Visit.objects.get()
    assert visit.grid_id == GRID_A1 and visit.person_id == person.pk  # where the visit was made
    assert statuses(sync_batch(worker, [entry])) == ["already"]


def test_a_case_closed_meanwhile_is_a_conflict(district: District) -> None:
    worker, person = district.users["worker_a1"], district.people[GRID_A1]
    case = cases.report_case(worker, category="E0101", title="井盖松动", source="patrol", lon=LON, lat=LAT)
    entry = visit_entry(person, about_case_id=case.pk)
    cases.act(worker, case.pk, "resolve")
    assert not Case.objects.get(pk=case.pk).is_open
    result = sync_batch(worker, [entry])
    assert statuses(result) == ["conflict"] and result[0]["code"] == "case_closed"
    settle(worker, entry["id"], keep=False)
    assert SyncEntry.objects.get().result == SyncResult.DISCARDED and not Visit.objects.exists()


def test_a_conflict_keeps_typed_numbers_sealed(district: District) -> None:
    worker, person = district.users["worker_a1"], district.people[GRID_A1]
    entry = visit_entry(person, findings="其女电话 13912345678")
    registry.save_record(SYSTEM, Person, {"grid": GRID_A2, "household": None}, pk=person.pk)  # moved
    assert statuses(sync_batch(worker, [entry])) == ["conflict"]
    kept = SyncEntry.objects.get()
    assert "13912345678" not in json.dumps(kept.payload, ensure_ascii=False)
    assert kept.opened_payload()["data"]["findings"] == "其女电话 13912345678"
    settle(worker, entry["id"], keep=True)
    assert Visit.objects.get().findings == "其女电话 13912345678"


def test_a_worker_whose_role_ended_leaves_the_conflict_unsettled(district: District) -> None:
    worker, person = district.users["worker_a1"], district.people[GRID_A1]
    entry = visit_entry(person, grid=GRID_A2)
    assert statuses(sync_batch(worker, [entry])) == ["conflict"]
    accounts.revoke_role(SYSTEM, worker.roles.get().pk)
    forget_assignments(worker)
    with pytest.raises(PermissionDenied):
        settle(worker, entry["id"], keep=False)
    assert SyncEntry.objects.get().result == SyncResult.CONFLICT


def test_the_endpoint_answers_per_entry_and_counts_conflicts(district: District) -> None:
    person = district.people[GRID_A1]
    client = district.client("worker_a1")
    good, moved = memo_entry(person), visit_entry(person, grid=GRID_A2)
    response = client.post(SYNC, json.dumps({"entries": [good, 7, moved]}), content_type="application/json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert statuses(body["results"]) == ["stored", "refused", "conflict"] and body["conflicts"] == 1
    listed = client.get(f"{SYNC}/conflicts").json()
    assert [c["client_id"] for c in listed] == [moved["id"]]
    # Another user never sees or settles this worker's conflicts.
    other = district.client("member_a1")
    assert other.get(f"{SYNC}/conflicts").json() == []
    assert (
        other.post(
            f"{SYNC}/conflicts/{moved['id']}/settle", {"keep": False}, content_type="application/json"
        ).status_code
        == 404
    )

"""Reads of personal records are logged one entry per record opened (never per list row), and the
auditor's home page shows a user who opened many records in a short time."""

from __future__ import annotations

import datetime as dt
from typing import Any
from unittest import mock

import pytest
from django.utils import timezone

from gridwork.api.tests.conftest import API, token_client
from gridwork.cases.tests.helpers import report
from gridwork.conftest import GRID_A1, GRID_A2, District
from gridwork.core import audit
from gridwork.core.models import AuditEvent
from gridwork.web.audit_alerts import unusual_reading
from gridwork.web.tests.helpers import html

READ = AuditEvent.Action.READ


def reads(who: str) -> list[tuple[str, str]]:
    return list(
        AuditEvent.objects.filter(action=READ, actor_label=who)
        .order_by("id")
        .values_list("object_type", "object_id")
    )


def test_opening_a_record_is_logged_once_and_lists_are_not(district: District) -> None:
    person, household = district.people[GRID_A1], district.households[GRID_A1]
    client = district.client("worker_a1")
    assert client.get(f"/areas/{GRID_A1}/people/").status_code == 200
    assert reads("worker_a1") == []
    assert client.get(f"/people/{person.pk}/").status_code == 200
    assert client.get(f"/households/{household.pk}/").status_code == 200
    assert reads("worker_a1") == [
        ("registry.person", str(person.pk)),
        ("registry.household", str(household.pk)),
    ]
    entry = AuditEvent.objects.filter(action=READ).first()
    assert entry.area_code == GRID_A1
    # Not found or outside the scope: nothing opened, nothing logged.
    assert client.get(f"/people/{district.people[GRID_A2].pk}/").status_code == 404
    assert len(reads("worker_a1")) == 2


def test_the_api_logs_a_person_opened_but_not_a_list_or_a_write(district: District) -> None:
    person = district.people[GRID_A1]
    api = token_client(district.users["worker_a1"])
    assert api.get(f"{API}/persons", {"limit": 50}).status_code == 200
    assert api.get(f"{API}/households", {"limit": 50}).status_code == 200
    assert reads("worker_a1") == []
    assert api.get(f"{API}/persons/{person.pk}").status_code == 200
    assert api.get(f"{API}/households/{person.household_id}").status_code == 200
    response = api.patch(f"{API}/persons/{person.pk}", {"work": "教师"}, content_type="application/json")
    assert response.status_code == 200
    assert reads("worker_a1") == [
        ("registry.person", str(person.pk)),
        ("registry.household", str(person.household_id)),
    ]


NOW = dt.datetime(2026, 12, 7, 10, 0, tzinfo=dt.UTC)


def opened(who: Any, at: dt.datetime, object_id: int, grid: str = GRID_A1) -> None:
    with mock.patch("django.utils.timezone.now", return_value=at):
        audit.log(READ, who, object_type="registry.person", object_id=str(object_id), area_code=grid)


@pytest.fixture
def alert_settings(settings: Any) -> Any:
    settings.AUDIT_ALERT_RECORDS = 20
    settings.AUDIT_ALERT_MINUTES = 10
    settings.AUDIT_ALERT_LOOKBACK_HOURS = 24
    return settings


def test_many_records_in_a_short_time_raise_an_alert(district: District, alert_settings: Any) -> None:
    worker, other, centre = (district.users[k] for k in ("worker_a1", "worker_a2", "centre_a"))
    # 20 records in 9.5 minutes, across the turn of an hour (10 before it, 10 after).
    start = NOW - dt.timedelta(minutes=5)
    for i in range(20):
        opened(worker, start + dt.timedelta(seconds=30 * i), i)
    # 19 records in 5 minutes: below the threshold.
    for i in range(19):
        opened(other, NOW + dt.timedelta(seconds=15 * i), i, GRID_A2)
    # 25 records, one a minute: never 20 within 10 minutes.
    for i in range(25):
        opened(centre, NOW + dt.timedelta(minutes=i), i)
    # The same record 30 times is one record.
    for i in range(30):
        opened(other, NOW + dt.timedelta(hours=2, seconds=i), 7, GRID_A2)
    alerts = unusual_reading(district.users["auditor"], now=NOW + dt.timedelta(hours=3))
    assert [(a.actor, a.records) for a in alerts] == [("worker_a1", 20)]
    assert alerts[0].first == start and alerts[0].last == start + dt.timedelta(seconds=30 * 19)
    # Outside the lookback, no alert.
    assert unusual_reading(district.users["auditor"], now=NOW + dt.timedelta(hours=30)) == []


def test_the_auditor_home_page_shows_the_alert_and_links_to_the_log(
    district: District, alert_settings: Any
) -> None:
    now = timezone.now()
    for i in range(20):
        opened(district.users["worker_a1"], now - dt.timedelta(minutes=5, seconds=-i), i)
    client = district.client("auditor")
    response = client.get("/")
    alerts = response.context["reading_alerts"]
    assert [(a.actor, a.records) for a in alerts] == [("worker_a1", 20)]
    assert alerts[0].log_url in html(response).replace("&amp;", "&")
    log = client.get(alerts[0].log_url)
    assert log.status_code == 200
    listed = list(log.context["page"].paginator.object_list)
    assert len(listed) == 20 and {e.actor_label for e in listed} == {"worker_a1"}
    assert "异常查阅" in html(response)
    # Other roles see no alerts on their home page.
    assert district.client("street_a").get("/").context["reading_alerts"] == []


def test_opening_a_case_is_logged(district: District) -> None:
    case = report(district)
    assert district.client("worker_a1").get("/cases/").status_code == 200
    assert reads("worker_a1") == []
    assert district.client("worker_a1").get(f"/cases/{case.pk}/").status_code == 200
    assert token_client(district.users["worker_a1"]).get(f"{API}/cases/{case.pk}").status_code == 200
    assert reads("worker_a1") == [("cases.case", str(case.pk))] * 2

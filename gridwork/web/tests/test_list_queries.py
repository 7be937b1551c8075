"""The list pages make a fixed number of queries (none per row), a grant or revoke counts at the
next request, and a signed-in session is written only when its expiry needs renewing."""

from __future__ import annotations

import time

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gridwork.accounts import services as accounts
from gridwork.accounts.middleware import REFRESH_SECONDS, SEEN_KEY
from gridwork.accounts.models import Role, RoleAssignment
from gridwork.conftest import COMMUNITY_A, GRID_A1, GRID_B1, District
from gridwork.core.system import SYSTEM
from gridwork.registry import services
from gridwork.registry.models import Person
from gridwork.web.pagination import PAGE_SIZE
from gridwork.web.tests.helpers import html

# session, user, roles, the area with its trail, the total (a summary row), the rows, the inbox badge
MAX_QUERIES = 8  # 7, and the verified session's second-factor device (django-otp)


@pytest.mark.parametrize(("who", "code"), [("worker_a1", GRID_A1), ("centre_a", COMMUNITY_A)])
def test_people_list_within_a_fixed_number_of_queries(
    district: District, who: str, code: str, django_assert_max_num_queries
) -> None:  # noqa: ANN001
    client = district.client(who)
    first = client.get(f"/areas/{code}/people/")
    assert first.context["page"].paginator.count == len(first.context["page"].object_list) >= 1
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(f"/areas/{code}/people/")
    assert response.status_code == 200
    assert district.people[GRID_A1].name in html(response)


def test_pages_past_the_end_and_garbage(district: District) -> None:
    client = district.client("worker_a1")
    for page in ("999", "x", "-3"):
        response = client.get(f"/areas/{GRID_A1}/people/?page={page}")
        assert response.status_code == 200
        assert response.context["page"].number == 1
        assert district.people[GRID_A1].name in html(response)
    empty = client.get(f"/areas/{GRID_A1}/people/?q=nobody-by-this-name&page=2")
    assert empty.context["page"].paginator.count == 0 and not empty.context["page"].object_list
    assert PAGE_SIZE > 1


def test_a_grant_and_a_revoke_count_at_the_next_request(district: District) -> None:
    user = district.users["worker_b1"]
    client = district.client("worker_b1")
    assert client.get(f"/areas/{GRID_A1}/people/").status_code == 404
    assignment = accounts.grant_role(SYSTEM, user, Role.GRID_WORKER, GRID_A1)
    assert client.get(f"/areas/{GRID_A1}/people/").status_code == 200  # at once
    accounts.revoke_role(SYSTEM, assignment.pk)
    assert client.get(f"/areas/{GRID_A1}/people/").status_code == 404
    # A change made past the services (the admin, a script) counts too.
    RoleAssignment.objects.filter(user=user, area_id=GRID_B1).delete()
    assert client.get("/cases/").status_code == 403


def test_session_written_only_when_its_expiry_needs_renewing(district: District) -> None:
    client = district.client("worker_a1")
    client.get("/")
    key = client.cookies["sessionid"].value
    before = Session.objects.get(session_key=key).expire_date
    with CaptureQueriesContext(connection) as queries:
        client.get("/")
    assert not [q for q in queries if "django_session" in q["sql"] and not q["sql"].startswith("SELECT")]
    # Over a minute later the next request renews the expiry.
    session = client.session
    session[SEEN_KEY] = int(time.time()) - REFRESH_SECONDS - 1
    session.save()
    saved = Session.objects.get(session_key=key).expire_date
    client.get("/")
    assert Session.objects.get(session_key=key).expire_date > saved >= before


def test_the_list_total_counts_everyone_registered(district: District) -> None:
    """The whole area's total comes from the kept count of registered people (all statuses), a
    search's from counting its matches; both equal the register."""
    person = district.people[GRID_A1]
    services.save_record(SYSTEM, Person, {"status": "deceased"}, pk=person.pk)
    client = district.client("centre_a")
    for code in (GRID_A1, COMMUNITY_A):
        page = client.get(f"/areas/{code}/people/").context["page"]
        assert page.paginator.count == Person.objects.filter(grid__code__startswith=code).count()
        searched = client.get(f"/areas/{code}/people/", {"q": person.name}).context["page"]
        expected = Person.objects.filter(grid__code__startswith=code, name__contains=person.name).count()
        assert searched.paginator.count == expected >= 1

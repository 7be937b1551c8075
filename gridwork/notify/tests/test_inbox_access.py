"""The inbox page and API as an access ladder: everyone sees only their own notifications."""

from __future__ import annotations

from typing import Any

import pytest

from gridwork.api.tests.conftest import API, session_client, token_client
from gridwork.cases.tests.helpers import report
from gridwork.notify.models import Notification
from gridwork.web.tests.helpers import assert_login_redirect, html


@pytest.fixture
def note(cd: Any, commits: Any) -> Notification:
    """One notification, for the acceptance centre of community A (a case reported in grid A1)."""
    with commits():
        report(cd, "worker_a1", "E0104")
    return Notification.objects.get(recipient=cd.users["centre_a"])


# Anonymous, no role, another grid's worker, the right grid's worker (the reporter), a street above:
# none of them is the recipient; only centre_a is.
OTHERS = ["nobody", "worker_b1", "worker_a1", "street_a"]


def test_inbox_page_anonymous(cd: Any, note: Notification) -> None:
    client = cd.client(None)
    assert_login_redirect(client.get("/inbox/"))
    assert_login_redirect(client.post(f"/inbox/{note.pk}/read/"))
    assert_login_redirect(client.post("/inbox/read-all/"))


@pytest.mark.parametrize("who", OTHERS)
def test_inbox_page_of_others(cd: Any, note: Notification, who: str) -> None:
    client = cd.client(who)
    page = client.get("/inbox/")
    assert page.status_code == 200
    assert note.title not in html(page)
    assert client.post(f"/inbox/{note.pk}/read/").status_code == 404
    assert client.post("/inbox/read-all/").status_code == 302
    note.refresh_from_db()
    assert note.read_at is None


def test_inbox_page_of_the_recipient(cd: Any, note: Notification) -> None:
    client = cd.client("centre_a")
    page = html(client.get("/inbox/"))
    assert note.title in page  # the site's language, as it was written
    assert f"{note.case.category.code}</span> {note.case.category.name_zh}" in page
    assert 'class="badge">1<' in page  # the unread count in the header
    assert client.get(f"/inbox/{note.pk}/read/").status_code == 405  # reading is not a change
    assert client.post(f"/inbox/{note.pk}/read/").status_code == 302
    note.refresh_from_db()
    assert note.read_at is not None
    page = html(client.get("/inbox/"))
    assert 'class="badge"' not in page
    assert note.title not in html(client.get("/inbox/?unread=1"))


def test_inbox_page_in_the_readers_language(cd: Any, note: Notification) -> None:
    """The stored words are the site's (Chinese) for email and SMS; an English reader's inbox reads
    the case again: English title, the category's English name, the status's English label."""
    client = cd.client("centre_a")
    client.cookies["django_language"] = "en"
    page = html(client.get("/inbox/"))
    assert note.title not in page and note.body not in page
    assert f"Case {note.case.tracking_code} needs your action" in page
    assert note.case.category.name_en in page
    assert "submitted, awaiting acceptance" in page
    assert f'href="/cases/{note.case_id}/"' in page


def test_mark_all_read(cd: Any, commits: Any, note: Notification) -> None:
    with commits():
        report(cd, "worker_a1", "E0104")
    client = cd.client("centre_a")
    assert Notification.objects.for_user(cd.users["centre_a"]).unread().count() == 2
    assert client.post("/inbox/read-all/").status_code == 302
    assert Notification.objects.for_user(cd.users["centre_a"]).unread().count() == 0


def test_inbox_api_anonymous(cd: Any, note: Notification) -> None:
    client = session_client(cd, None)
    assert client.get(f"{API}/inbox").status_code == 401
    assert client.post(f"{API}/inbox/{note.pk}/read").status_code == 401


@pytest.mark.parametrize("who", OTHERS)
def test_inbox_api_of_others(cd: Any, note: Notification, who: str) -> None:
    client = token_client(cd.users[who])
    assert client.get(f"{API}/inbox").json() == {"items": [], "count": 0}
    assert client.post(f"{API}/inbox/{note.pk}/read").status_code == 404
    assert client.post(f"{API}/inbox/999999/read").status_code == 404  # the same answer as missing
    note.refresh_from_db()
    assert note.read_at is None


def test_inbox_api_of_the_recipient(cd: Any, note: Notification) -> None:
    client = token_client(cd.users["centre_a"])
    listing = client.get(f"{API}/inbox").json()
    assert listing["count"] == 1
    item = listing["items"][0]
    assert item["id"] == note.pk and item["kind"] == "assigned" and item["read_at"] is None
    assert item["tracking_code"] == note.case.tracking_code and item["case_id"] == note.case_id
    read = client.post(f"{API}/inbox/{note.pk}/read")
    assert read.status_code == 200 and read.json()["read_at"] is not None
    assert client.get(f"{API}/inbox?unread=true").json()["count"] == 0
    assert client.get(f"{API}/inbox").json()["count"] == 1
    # The page's session works too (with the CSRF token for the POST, as ninja requires).
    session = session_client(cd, "centre_a")
    assert session.get(f"{API}/inbox").json()["count"] == 1

"""Rendered pages kept for equal inputs (web/page_memo.py): never stale, never shared across users,
a fresh CSRF token on each response, and nothing kept that the key does not describe."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import connection
from django.http import HttpRequest
from django.test.utils import CaptureQueriesContext

from gridwork.conftest import GRID_A1, District, make_id
from gridwork.core.system import SYSTEM
from gridwork.registry import services
from gridwork.registry.models import Household, Person
from gridwork.web import page_memo
from gridwork.web.tests.helpers import html

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
ANY_TOKEN = re.compile(r'(?:csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]+')


@pytest.fixture(autouse=True)
def empty_memo() -> None:
    page_memo.memo.clear()


def people_shown(response) -> str:  # noqa: ANN001
    """The figure after "People" on the home card."""
    return re.search(
        r"<dt>[^<]*</dt><dd>(\d+)</dd>", html(response).split('class="counts"')[1].split("<div>")[2]
    ).group(1)


def test_values_that_print_differently_never_share_a_key() -> None:
    freeze = page_memo.freeze
    assert freeze(True) != freeze(1) and freeze(1.0) != freeze(1)
    assert freeze(Decimal("1.0")) != freeze(Decimal("1")) != freeze(1)
    assert freeze([1, 2]) != freeze((1, 2))
    assert freeze({"a": [1, {"b": dt.date(2025, 1, 2)}]}) == freeze({"a": [1, {"b": dt.date(2025, 1, 2)}]})
    assert freeze(dt.date(2025, 1, 2)) != freeze(dt.datetime(2025, 1, 2))


def test_what_has_no_content_to_copy_is_refused(district: District) -> None:
    with pytest.raises(TypeError):
        page_memo.freeze(lambda: 1)
    with pytest.raises(TypeError):
        page_memo.freeze(Person.objects.all())  # not read yet: its rows are not known
    person = Person.objects.select_related("household").get(pk=district.people[GRID_A1].pk)
    frozen = page_memo.freeze(person)
    person.name = "改名"
    assert page_memo.freeze(person) != frozen  # a model's loaded fields are part of its key
    person.name = district.people[GRID_A1].name
    person.household.number = "另一户号"
    assert page_memo.freeze(person) != frozen  # and so are the related objects loaded with it


def test_a_repeated_page_is_served_without_rendering(district: District) -> None:
    client = district.client("worker_a1")
    first = client.get("/")
    assert first.context is not None  # rendered
    hits = page_memo.memo.stats["hits"]
    again = client.get("/")
    assert again.context is None  # from the memo: no template was rendered
    assert page_memo.memo.stats["hits"] == hits + 1
    assert ANY_TOKEN.sub("", html(again)) == ANY_TOKEN.sub("", html(first))


def test_a_change_to_the_register_shows_at_once(district: District) -> None:
    client = district.client("worker_a1")
    before = int(people_shown(client.get("/")))
    household = services.save_record(SYSTEM, Household, {"number": "MEMO1", "grid": GRID_A1})
    services.save_record(
        SYSTEM,
        Person,
        {
            "household": household.pk,
            "relation": "head",
            "name": "新来的人",
            "id_number": make_id(dt.date(1990, 3, 4), 77, "M"),
        },
    )
    assert int(people_shown(client.get("/"))) == before + 1


def test_users_never_get_each_others_pages(district: District) -> None:
    worker, centre = district.client("worker_a1"), district.client("centre_a")
    mine, theirs = html(worker.get("/")), html(centre.get("/"))
    assert mine != theirs
    assert html(worker.get("/")).count(district.grids[GRID_A1].name) == mine.count(
        district.grids[GRID_A1].name
    )
    assert "worker_a1" in html(worker.get("/")) and "worker_a1" not in html(centre.get("/"))


def test_the_language_is_part_of_the_key(district: District) -> None:
    client = district.client("worker_a1")
    chinese = html(client.get("/", headers={"accept-language": "zh-hans"}))
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = html(client.get("/"))
    assert "My work" in english and "My work" not in chinese


def test_each_response_carries_a_fresh_valid_csrf_token(district: District) -> None:
    client = district.client("worker_a1")
    client.handler.enforce_csrf_checks = True
    first, second = client.get("/"), client.get("/")
    assert second.context is None  # served from the memo
    token_a, token_b = TOKEN.search(html(first)).group(1), TOKEN.search(html(second)).group(1)
    assert token_a != token_b and page_memo.CSRF_PLACEHOLDER not in html(second)
    # The token of the kept page works: signing out with it succeeds.
    response = client.post("/logout/", {"csrfmiddlewaretoken": token_b})
    assert response.status_code == 302
    assert client.get("/").status_code == 302  # signed out


def test_the_kept_pages_csrf_token_unmasks_to_the_cookies_secret() -> None:
    from django.middleware.csrf import _get_new_csrf_string, _unmask_cipher_token

    request = HttpRequest()
    request.META["CSRF_COOKIE"] = secret = _get_new_csrf_string()
    tokens = {page_memo._fresh_csrf_token(request) for _ in range(50)}
    assert len(tokens) == 50 and all(len(t) == 64 for t in tokens)
    assert {_unmask_cipher_token(t) for t in tokens} == {secret}
    assert request.META["CSRF_COOKIE_NEEDS_UPDATE"] is True  # the cookie is renewed, as get_token does
    # No cookie: Django's get_token makes one. Not one of Django's: left to get_token as well.
    for cookie in (None, "x" * 31):
        bare = HttpRequest()
        if cookie is not None:
            bare.META["CSRF_COOKIE"] = cookie
        token = page_memo._fresh_csrf_token(bare)
        assert _unmask_cipher_token(token) == bare.META["CSRF_COOKIE"]
        assert cookie is not None or len(bare.META["CSRF_COOKIE"]) == 32


def test_a_render_that_queries_is_not_kept(district: District, monkeypatch: pytest.MonkeyPatch) -> None:
    render = page_memo.render_to_string

    def render_reading_more(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        # A template that follows a relation the view did not load reads data the key misses.
        Household.objects.count()
        return render(*args, **kwargs)

    monkeypatch.setattr(page_memo, "render_to_string", render_reading_more)
    client = district.client("worker_a1")
    not_kept = page_memo.memo.stats["not_kept"]
    client.get("/")
    assert page_memo.memo.stats["not_kept"] == not_kept + 1
    assert client.get("/").context is not None  # rendered again


def test_pages_with_messages_are_not_kept(district: District) -> None:
    client = district.client("worker_a1")
    client.get("/")  # kept
    storage = CookieStorage(HttpRequest())
    client.cookies["messages"] = storage._encode([Message(constants.SUCCESS, "Saved.")])
    with_message = client.get("/")
    assert "Saved." in html(with_message) and with_message.context is not None
    assert "Saved." not in html(client.get("/"))  # shown once, and that page was not kept


def test_turned_off_it_renders_every_time(district: District, settings) -> None:  # noqa: ANN001
    settings.PAGE_MEMO_ENTRIES = 0
    client = district.client("worker_a1")
    client.get("/")
    assert client.get("/").context is not None


def test_a_kept_page_costs_the_same_queries_as_a_rendered_one(district: District) -> None:
    client = district.client("worker_a1")
    client.get("/")  # roles into the session
    page_memo.memo.clear()
    with CaptureQueriesContext(connection) as rendered:
        client.get("/")
    with CaptureQueriesContext(connection) as kept:
        assert client.get("/").context is None
    assert len(kept) == len(rendered)  # the data is read every time; only the rendering is kept

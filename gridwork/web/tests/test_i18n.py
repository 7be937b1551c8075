"""Chinese by default; the language switch (Django's set_language) turns the pages English."""

from __future__ import annotations

from gridwork.conftest import District
from gridwork.web.tests.helpers import html


def test_chinese_by_default_and_english_after_the_switch(district: District) -> None:
    client = district.client("worker_a1")
    body = html(client.get("/"))
    assert 'lang="zh-hans"' in body
    assert "户数" in body and "Households" not in body
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    body = html(client.get("/"))
    assert 'lang="en"' in body
    assert "Households" in body and "Party members" in body
    assert "elderly living alone" in body  # key groups use their English names too
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert "户数" in html(client.get("/"))


def test_login_page_offers_the_other_language(db: object) -> None:
    from django.test import Client

    body = html(Client().get("/login/"))
    assert 'action="/i18n/setlang/"' in body and 'value="en"' in body

"""The walker's checks find what they look for: each on a page made to fail it, and a clean page passes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from gridwork.web.tests.browser.crawl import Frontier, shape
from gridwork.web.tests.browser.probe import check_page, load_axe

CLEAN = """<!doctype html><html lang="{lang}"><head><title>t</title></head><body><main>
<h1>{heading}</h1><p translate="no">{data}</p><label for="q">{label}</label><input id="q" name="q">
</main></body></html>"""


@pytest.fixture
def phone_page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 375, "height": 700})
    load_axe(context)
    page = context.new_page()
    yield page
    context.close()


def _load(page: Page, html: str) -> None:
    # A real navigation (not set_content), so the init script with axe-core runs as on the site.
    answer = {"body": html, "content_type": "text/html; charset=utf-8"}
    page.route("http://probe.test/", lambda route: route.fulfill(**answer))
    page.goto("http://probe.test/")


def test_a_clean_page_passes_in_both_languages(phone_page: Page) -> None:
    _load(phone_page, CLEAN.format(lang="en", heading="People", data="张三 通州区", label="Name"))
    assert check_page(phone_page, lang="en", phone=True) == []
    _load(phone_page, CLEAN.format(lang="zh-hans", heading="人员", data="Mary Ann Smith", label="姓名"))
    assert check_page(phone_page, lang="zh-hans", phone=True) == []


def test_each_check_finds_its_fault(phone_page: Page) -> None:
    html = """<!doctype html><html lang="zh-hans"><head><title>t</title></head><body><main>
    <h1>人员 Search by name here</h1><input name="q" placeholder="Type the surname here">
    <div style="width: 600px">宽</div><p style="color: #bbb; background: #fff">浅色文字</p>
    </main></body></html>"""
    _load(phone_page, html)
    problems = check_page(phone_page, lang="zh-hans", phone=True)
    joined = "\n".join(problems)
    assert "untranslated: 'Search by name here'" in joined
    assert "untranslated: 'placeholder: Type the surname here'" in joined
    assert "scrolls sideways at 375 px" in joined
    assert "form field without a label: input[name=q]" in joined
    assert "axe serious color-contrast" in joined


def test_han_text_outside_data_is_caught_on_an_english_page(phone_page: Page) -> None:
    _load(phone_page, CLEAN.format(lang="en", heading="People 人员", data="张三", label="Name"))
    assert check_page(phone_page, lang="en", phone=False, axe=False) == ["untranslated: '人员'"]


def test_frontier_takes_one_page_of_each_kind_to_depth_two() -> None:
    frontier = Frontier("http://s")
    frontier.add("http://s/", 0)
    frontier.add("http://s/people/1/", 1)
    frontier.add("http://s/people/2/", 1)  # same kind
    frontier.add("http://s/areas/110112/people/?page=2", 1)
    frontier.add("http://s/areas/110112/people/", 1)  # the first page of the same list
    frontier.add("http://s/areas/110112001/", 1)  # a street: another kind than a district
    frontier.add("http://s/areas/110112/", 1)
    frontier.add("http://s/buildings/3/", 3)  # too deep
    frontier.add("http://elsewhere/x/", 1)
    frontier.add("http://s/logout/", 1)
    frontier.add("http://s/imports/templates/persons.xlsx", 1)
    queued = [frontier.next() for _ in range(len(frontier.queue))]
    assert [local for local, _ in queued] == [
        "/",
        "/people/1/",
        "/areas/110112/people/?page=2",
        "/areas/110112001/",
        "/areas/110112/",
    ]
    assert frontier.files == ["/imports/templates/persons.xlsx"]
    assert shape("/cases/?tab=mine") != shape("/cases/?tab=area")

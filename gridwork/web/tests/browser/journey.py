"""What every journey shares: its four variants, a checked step, and acting on a case's page."""

from __future__ import annotations

import base64

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from gridwork.web.tests.browser.conftest import WIDTHS
from gridwork.web.tests.browser.probe import PageWatch, check_page
from gridwork.web.tests.browser.server import LiveSite, artefacts_dir

COMBOS = [(lang, width) for lang in ("zh-hans", "en") for width in WIDTHS]
# A one-pixel PNG: the photo a worker takes on the spot.
PHOTO = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
combos = pytest.mark.parametrize(("lang", "width"), COMBOS, ids=[f"{lang}-{width}" for lang, width in COMBOS])


def checked(page: Page, watch: PageWatch, lang: str, width: str, shot: str) -> None:
    """The walker's checks on the page a journey has reached, and its screenshot."""
    problems = watch.take() + check_page(page, lang=lang, phone=width == "phone")
    page.screenshot(path=str(artefacts_dir() / "journeys" / f"{shot}-{lang}-{width}.jpg"), type="jpeg")
    assert not problems, f"{page.url}: " + "\n".join(problems)


def new_page(context: BrowserContext, site: LiveSite) -> tuple[Page, PageWatch]:
    page = context.new_page()
    return page, PageWatch(site.url).attach(page)


def act(page: Page, action: str, note: str = "", **choices: str) -> None:
    """Take an action through its form on a case's page, as a person does: open its fold, fill it,
    send it; the timeline then shows the entry."""
    form = page.locator(f"form[action$='/act/{action}/']")
    if not form.is_visible():  # one action's form is open; the others fold under their summary
        form.locator("xpath=..").locator("summary").click()
    for name, value in choices.items():
        form.locator(f"select[name={name}]").select_option(value)
    if note:
        form.locator("textarea[name=note]").fill(note)
    form.locator("button[type=submit]").click()
    expect(page.locator(f".timeline .action-{action}")).to_be_visible()


def open_from_inbox(page: Page, tracking_code: str) -> None:
    """Open a case the way its next holder does: from the notification in their inbox."""
    page.goto("/inbox/")
    page.locator("ul.inbox a", has_text=tracking_code).first.click()
    expect(page.locator(".mono", has_text=tracking_code).first).to_be_visible()


def variant(lang: str, width: str) -> int:
    """The variant's number, so each one works on its own records."""
    return COMBOS.index((lang, width))

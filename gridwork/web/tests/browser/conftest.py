"""The browser suite: Debian's chromium, driven by Playwright, against a live server on the demo district.

Every test in this folder is marked `browser`. `BROWSER_TESTS=0` skips them (or `-m "not browser"`
deselects them) where no chromium can be installed; otherwise a missing chromium fails the run,
so CI cannot pass without the browser suite. Screenshots and the server's log are written under
`artefacts_dir()` (BROWSER_ARTEFACTS, else <GRIDWORK_VAR_DIR>/browser), printed at the end.
"""

from __future__ import annotations

import base64
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django_otp.oath import totp
from playwright.sync_api import Browser, BrowserContext, Playwright, sync_playwright

from gridwork.demo.users import DEMO_TOTP_SECRET
from gridwork.web.tests.browser.probe import load_axe
from gridwork.web.tests.browser.server import LiveSite, artefacts_dir, start_site

CHROMIUM = os.environ.get("BROWSER_CHROMIUM") or "/usr/bin/chromium"
HERE = Path(__file__).resolve().parent
WIDTHS = {"phone": {"width": 375, "height": 812}, "desktop": {"width": 1280, "height": 800}}
LANGUAGES = {"zh-hans": "zh-CN", "en": "en-US"}
DEMO_PASSWORD = "Gridwork-Demo-2025"  # noqa: S105 - the published password of the synthetic demo


@dataclass
class WalkLog:
    """What the browser suite did, for the summary at the end of the run."""

    pages: int = 0
    files: int = 0
    screenshots: int = 0
    refused: list[str] = field(default_factory=list)
    started: float | None = None
    seconds: float = 0.0


WALK_LOG = WalkLog()


def _in_this_folder(item: pytest.Item) -> bool:
    return HERE in Path(str(item.fspath)).resolve().parents


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    skip = os.environ.get("BROWSER_TESTS", "1") == "0"
    for item in items:
        if _in_this_folder(item):
            item.add_marker(pytest.mark.browser)
            if skip:
                item.add_marker(pytest.mark.skip(reason="BROWSER_TESTS=0: the browser suite is switched off"))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not WALK_LOG.pages and not WALK_LOG.files:
        return
    write = terminalreporter.write_line
    terminalreporter.section("browser suite")
    write(
        f"walker: {WALK_LOG.pages} pages walked in the browser, {WALK_LOG.files} file links fetched, "
        f"{WALK_LOG.screenshots} screenshots; {len(WALK_LOG.refused)} routes refused (403/404) to roles "
        f"that may not open them; browser tests took {WALK_LOG.seconds:.0f} s"
    )
    for line in WALK_LOG.refused[:20]:
        write(f"  refused: {line}")
    if len(WALK_LOG.refused) > 20:
        write(f"  ... and {len(WALK_LOG.refused) - 20} more")
    write(f"screenshots: {artefacts_dir() / 'screens'}")


@pytest.fixture(autouse=True)
def _time_browser_tests() -> Iterator[None]:
    started = time.monotonic()
    yield
    WALK_LOG.seconds += time.monotonic() - started


# Package scope, not session: Playwright's synchronous API keeps an event loop in this thread while
# it runs, and Django refuses database calls from there; the tests after this folder need the ORM.
@pytest.fixture(scope="package")
def site() -> Iterator[LiveSite]:
    started = time.monotonic()
    live = start_site(artefacts_dir())
    WALK_LOG.seconds += time.monotonic() - started
    yield live
    live.stop()


@pytest.fixture(scope="package")
def playwright_driver() -> Iterator[Playwright]:
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"The browser suite needs Debian's chromium at {CHROMIUM}: `make test` installs it "
            "(apt-get install chromium fonts-noto-cjk). Set BROWSER_TESTS=0 to skip the browser tests.",
            pytrace=False,
        )
    driver = sync_playwright().start()
    yield driver
    driver.stop()


@pytest.fixture(scope="package")
def browser(playwright_driver: Playwright) -> Iterator[Browser]:
    launched = playwright_driver.chromium.launch(executable_path=CHROMIUM, args=["--disable-gpu"])
    yield launched
    launched.close()


def open_context(
    browser: Browser, site: LiveSite, width: str, lang: str, state: dict[str, Any] | None = None
) -> BrowserContext:
    """A fresh browser profile at a width (signed in when given a storage state), its language chosen
    as the language switch does (a cookie)."""
    context = browser.new_context(
        storage_state=state,
        viewport=WIDTHS[width],
        locale=LANGUAGES[lang],
        is_mobile=width == "phone",
        has_touch=width == "phone",
        base_url=site.url,
    )
    context.set_default_timeout(15_000)
    load_axe(context)
    context.add_cookies([{"name": "django_language", "value": lang, "url": site.url}])
    return context


def demo_code() -> str:
    """The current code of the demo authenticator (the published secret of gridwork.demo.users)."""
    return f"{totp(base64.b32decode(DEMO_TOTP_SECRET)):06d}"


def sign_in(context: BrowserContext, site: LiveSite, username: str, password: str = DEMO_PASSWORD) -> int:
    """Sign in through the login form's POST (the page itself is a journey's business), with the
    demo authenticator's code when the account has one: the status."""
    context.request.get(f"{site.url}/login/")
    token = next(c["value"] for c in context.cookies() if c["name"] == "csrftoken")
    answer = context.request.post(
        f"{site.url}/login/",
        form={"username": username, "password": password, "csrfmiddlewaretoken": token},
        max_redirects=0,
    )
    if answer.status == 302 and "/login/code/" in answer.headers.get("location", ""):
        token = next(c["value"] for c in context.cookies() if c["name"] == "csrftoken")
        answer = context.request.post(
            f"{site.url}/login/code/",
            form={"code": demo_code(), "csrfmiddlewaretoken": token},
            max_redirects=0,
        )
    return answer.status


@pytest.fixture(scope="package")
def signed_in_states(browser: Browser, site: LiveSite) -> dict[str, Any]:
    """Each account's signed-in cookies, taken once per run and reused by every context of that user.

    A second sign-in of the same account within one 30-second step of its authenticator would
    post the same code again, which django-otp rightly refuses as a replay; one sign-in per account
    also saves the suite a round of logins per test. Nothing in the suite signs out.
    """
    return {}


def signed_in_state(
    browser: Browser, site: LiveSite, states: dict[str, Any], username: str
) -> dict[str, Any]:
    if username not in states:
        context = open_context(browser, site, "desktop", "en")
        try:
            status = sign_in(context, site, username)
            assert status == 302, f"{username} could not sign in (answer {status})"
            states[username] = context.storage_state()
        finally:
            context.close()
    return states[username]


@pytest.fixture
def context_for(
    browser: Browser, site: LiveSite, signed_in_states: dict[str, Any]
) -> Iterator[Callable[..., BrowserContext]]:
    """Open contexts (closed after the test): context_for(width, lang, username=None)."""
    opened: list[BrowserContext] = []

    def make(width: str, lang: str, username: str | None = None) -> BrowserContext:
        state = None if username is None else signed_in_state(browser, site, signed_in_states, username)
        context = open_context(browser, site, width, lang, state)
        opened.append(context)
        return context

    yield make
    for context in opened:
        context.close()

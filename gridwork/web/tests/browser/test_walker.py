"""The walker: every demo role's pages, in both languages, on a phone and a desktop.

For each role it signs in, opens the home page, every page the home page and the menus link to,
and one level below (a list, then one item of it: `crawl.Frontier`), and checks each page
(`probe`): no server error, no console error or failed request, nothing left untranslated, no
sideways scrolling at 375 px, a label on every field, no serious or critical axe-core violation.
Every page gets a full-page screenshot. File links (imports' templates, exports) are fetched
and must answer. A last test asks every role for the pages the others reached: each answers,
a refusal is a 403 or 404 (or the sign-in page for a visitor), never a server error.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import BrowserContext

from gridwork.web.tests.browser.conftest import WALK_LOG, WIDTHS
from gridwork.web.tests.browser.crawl import Frontier, shape
from gridwork.web.tests.browser.probe import PageWatch, check_page, screenshot
from gridwork.web.tests.browser.server import LiveSite, artefacts_dir

# One account per demo role (gridwork/demo/users.py; `gridwork demo_logins`), the first grid's
# worker for all of them, and a visitor (None) on the public pages.
ROLES: list[str | None] = [
    None,
    "demo_admin",
    "demo_auditor",
    "demo_district",
    "demo_dept",
    "demo_street",
    "demo_street_dept",
    "demo_town",
    "demo_centre",
    "demo_village",
    "demo_member",
    "demo_gw1",
]
PUBLIC_STARTS = ["/", "/report/", "/track/"]
SIGNED_IN_STARTS = ["/"]
# A walk is bounded, so a page that grows links without end fails here instead of running for ever.
MAX_PAGES_PER_WALK = 80
# Pages reached from another role's walk, asked of every role: what a role may not open.
REFUSALS = {403, 404}


def _name(role: str | None) -> str:
    return role or "visitor"


def _slug(local: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", local).strip("-")[:80] or "home"


def walk(context: BrowserContext, site: LiveSite, role: str | None, lang: str, width: str) -> list[str]:
    """Walk one role's pages in one language at one width: the problems found, each with its page."""
    page = context.new_page()
    watch = PageWatch(site.url).attach(page)
    frontier = Frontier(site.url)
    for start in SIGNED_IN_STARTS if role else PUBLIC_STARTS:
        frontier.add(site.url + start, 0)
    folder = artefacts_dir() / "screens" / _name(role) / f"{lang}-{WIDTHS[width]['width']}"
    problems: list[str] = []
    walked = 0
    while (item := frontier.next()) is not None and walked < MAX_PAGES_PER_WALK:
        local, depth = item
        response = page.goto(site.url + local, wait_until="load")
        status = response.status if response is not None else 0
        frontier.mark_seen(page.url)
        here = urlsplit(page.url)
        where = here.path + (f"?{here.query}" if here.query else "")
        found = [f"answer {status}"] if status >= 400 else []
        found += watch.take()
        found += check_page(page, lang=lang, phone=width == "phone")
        screenshot(page, folder / f"{walked:02d}-{_slug(where)}.jpg")
        WALK_LOG.screenshots += 1
        walked += 1
        problems += [f"{where}: {problem}" for problem in found]
        if depth < frontier.max_depth and status < 400:
            links = page.eval_on_selector_all(
                "a[href]", "els => els.map(e => [e.href, e.hasAttribute('download')])"
            )
            for href, download in links:
                frontier.add(href, depth + 1, download=download)
    WALK_LOG.pages += walked
    assert walked < MAX_PAGES_PER_WALK, f"over {MAX_PAGES_PER_WALK} kinds of page: {sorted(frontier.seen)}"
    for local in frontier.files:
        answer = context.request.get(site.url + local, max_redirects=0)
        WALK_LOG.files += 1
        if answer.status >= 400:
            problems.append(f"{local}: file link answers {answer.status}")
    page.close()
    return problems


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("lang", ["zh-hans", "en"])
@pytest.mark.parametrize("role", ROLES, ids=_name)
def test_walk_every_page_of_a_role(
    site: LiveSite, context_for: Callable[..., BrowserContext], role: str | None, lang: str, width: str
) -> None:
    context = context_for(width, lang, role)
    problems = walk(context, site, role, lang, width)
    assert not problems, f"{_name(role)} ({lang}, {width}): {len(problems)} problems\n" + "\n".join(problems)


def _reachable(context: BrowserContext, site: LiveSite, starts: list[str]) -> set[str]:
    """The pages a signed-in context reaches from its starts, read as HTML without rendering."""
    frontier = Frontier(site.url)
    for start in starts:
        frontier.add(site.url + start, 0)
    reached: set[str] = set()
    while (item := frontier.next()) is not None:
        local, depth = item
        answer = context.request.get(site.url + local)
        if answer.status >= 400 or "text/html" not in answer.headers.get("content-type", ""):
            continue
        reached.add(local)
        if depth < frontier.max_depth:
            for href in re.findall(r'<a\b[^>]*\bhref="([^"#][^"]*)"', answer.text()):
                target = href.replace("&amp;", "&")
                frontier.add(target if target.startswith("http") else site.url + target, depth + 1)
    return reached


def test_routes_others_reach_answer_every_role_without_a_server_error(
    site: LiveSite, context_for: Callable[..., BrowserContext]
) -> None:
    reach = {role: _reachable(context_for("desktop", "en", role), site, ["/"]) for role in ROLES if role}
    reach[None] = _reachable(context_for("desktop", "en"), site, PUBLIC_STARTS)
    everything = sorted(set().union(*reach.values()))
    assert len(everything) > 20, f"the walk reached too little to judge: {everything}"
    problems, refused = [], 0
    for role in ROLES:
        context = context_for("desktop", "en", role)
        own = {shape(local) for local in reach[role]}
        for local in everything:
            if shape(local) in own:
                continue
            answer = context.request.get(site.url + local, max_redirects=0)
            if answer.status >= 500:
                problems.append(f"{_name(role)} {local}: {answer.status}")
            elif answer.status in REFUSALS:
                refused += 1
                WALK_LOG.refused.append(f"{_name(role)} {local} → {answer.status}")
            elif role is None and answer.status == 302 and "/login/" not in answer.headers["location"]:
                problems.append(f"visitor {local}: sent to {answer.headers['location']}, not to sign in")
    assert refused > 0, "no role was refused anything: the scoping cannot have been exercised"
    assert not problems, "\n".join(problems)

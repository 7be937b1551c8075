"""The field app offline, on a 375 px phone: a visit and a memo recorded without a connection wait
on the phone, go to the server once it is back, and are stored there exactly once."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from playwright.sync_api import BrowserContext, expect

from gridwork.web.tests.browser.server import LiveSite

WORKER = "demo_gw1"


def test_a_visit_and_a_memo_made_offline_reach_the_server_once(
    site: LiveSite, context_for: Callable[..., BrowserContext]
) -> None:
    context = context_for("phone", "zh-hans", WORKER)
    plan = context.request.get(f"{site.url}/api/v1/fieldwork/plan").json()
    assert plan["stops"], "the demo worker's plan has stops"
    stop = next(s for s in plan["stops"] if s["kind"] == "visit")
    context.grant_permissions(["geolocation"], origin=site.url)
    context.set_geolocation({"longitude": stop["lon"], "latitude": stop["lat"], "accuracy": 10})

    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto("/fieldwork/")
    page.wait_for_url(lambda url: "lon=" in url)  # ordered from the phone's position
    expect(page.locator("[data-plan-stops] > li").first).to_be_visible()
    page.wait_for_function("navigator.serviceWorker.controller !== null || navigator.serviceWorker.ready")
    for kept in ("/fieldwork/visit/", "/fieldwork/memo/"):
        page.wait_for_function(f"caches.match('{kept}').then(r => !!r)")

    mark = uuid.uuid4().hex[:8]
    context.set_offline(True)
    page.goto(f"/fieldwork/visit/?person_id={stop['person_id']}&grid={stop['grid']}")
    expect(page.locator("[data-stop-title]")).to_have_text(stop["title"])
    page.fill("textarea[name=findings]", f"离线走访 {mark}")
    page.click("form[data-entry-kind=visit] button[type=submit]")
    expect(page.locator("[data-queue-count]")).to_have_text("1")

    page.goto(f"/fieldwork/memo/?person_id={stop['person_id']}&grid={stop['grid']}")
    page.fill("textarea[name=text]", f"离线日记 {mark}")
    page.click("form[data-entry-kind=memo] button[type=submit]")
    expect(page.locator("[data-queue-count]")).to_have_text("2")

    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")  # as the phone does when back
    expect(page.locator("[data-queue-count]")).to_have_text("0", timeout=20_000)
    # Once more, as a phone that lost the answer would: nothing is stored twice.
    page.reload()
    expect(page.locator("[data-queue-count]")).to_have_text("0")

    visits = context.request.get(f"{site.url}/api/v1/fieldwork/visits?limit=500").json()["items"]
    memos = context.request.get(f"{site.url}/api/v1/fieldwork/memos?limit=500").json()["items"]
    mine = [v for v in visits if v["findings"] == f"离线走访 {mark}"]
    assert len(mine) == 1 and mine[0]["person_id"] == stop["person_id"]
    assert len([m for m in memos if m["text"] == f"离线日记 {mark}"]) == 1
    assert not errors, errors

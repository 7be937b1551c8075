"""Journeys of a case through several hands, each on a phone and a desktop, in Chinese and in English.

A coordination case: a resident reports it on the public page, the acceptance centre accepts it and
dispatches it to a department, the department handles it, the grid worker verifies it on the spot,
the centre closes it with word to the resident, and the resident rates it through the tracking code.
An approval case: the centre files an application, the town (street) reviews it, the district
approves it, the decision goes under public notice (seen on the public tracking page) and the notice
ends. Each holder finds the case where they would: in their inbox.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import BrowserContext, expect

from gridwork.web.tests.browser.journey import act, checked, combos, new_page, open_from_inbox, variant
from gridwork.web.tests.browser.server import LiveSite

# The first grid of the demo's first community: demo_centre's community, demo_gw1's grid.
GRID = "110112001001001"
DEPARTMENT = "区城市管理委员会"  # demo_dept's department (gridwork/demo/users.py)
WORDS = {
    "en": {"notice": "decision under public notice", "closed": "closed", "approved": "approved"},
    "zh-hans": {"notice": "审批结果公示中", "closed": "已办结", "approved": "审批通过"},
}


def _grid_centre(site: LiveSite) -> dict[str, float]:
    """A point inside the grid (the demo's grids are rectangles): where the resident stands."""
    ((min_lon, min_lat, max_lon, max_lat),) = site.query(
        "SELECT b.min_lon, b.min_lat, b.max_lon, b.max_lat FROM areas_areaboundary b"
        " JOIN areas_area a ON a.id = b.area_id WHERE a.code = ? AND b.valid_to IS NULL",
        GRID,
    )
    return {"longitude": (min_lon + max_lon) / 2, "latitude": (min_lat + max_lat) / 2}


def _case_row(site: LiveSite, code: str) -> tuple:
    rows = site.query(
        "SELECT id, status, track, grid_code, holder_department, rating, rating_comment FROM cases_case"
        " WHERE tracking_code = ?",
        code,
    )
    assert len(rows) == 1, f"no one case with the tracking code {code}: {rows}"
    return rows[0]


def _actions(site: LiveSite, case_id: int) -> list[str]:
    rows = site.query("SELECT action FROM cases_caseevent WHERE case_id = ? ORDER BY at, id", case_id)
    return [action for (action,) in rows]


@combos
def test_a_coordination_case_goes_to_a_department_and_back_and_the_resident_rates_it(
    site: LiveSite, context_for: Callable[..., BrowserContext], lang: str, width: str
) -> None:
    words = WORDS[lang]
    n = variant(lang, width)
    description = f"Broken paving by building {n + 1} trips people up\nThe slabs rock near the door."

    resident_context = context_for(width, lang)
    resident_context.grant_permissions(["geolocation"], origin=site.url)
    resident_context.set_geolocation(_grid_centre(site))
    resident, resident_watch = new_page(resident_context, site)
    resident.goto("/report/")
    category = resident.locator("#id_category option[data-track=coordination]").first.get_attribute("value")
    resident.select_option("#id_category", category)
    resident.fill("#id_description", description)
    resident.click("button[data-locate]")
    expect(resident.locator("[data-located]")).to_contain_text("±")
    resident.fill("#id_address", "East gate of the estate")
    resident.fill("#id_name", "Li Lei")
    resident.fill("#id_phone", f"1391234{5670 + n}")
    checked(resident, resident_watch, lang, width, "resident-report")
    resident.click("form.report button.primary")
    code = resident.locator(".tracking-code").inner_text().strip()
    assert re.fullmatch(r"[A-Z0-9]{8,16}", code), code
    case_id, status, track, grid, *_ = _case_row(site, code)
    assert (status, track, grid) == ("submitted", "coordination", GRID)
    checked(resident, resident_watch, lang, width, "resident-reported")

    centre, centre_watch = new_page(context_for(width, lang, "demo_centre"), site)
    open_from_inbox(centre, code)
    case_url = centre.url
    act(centre, "accept")
    act(centre, "dispatch", department=DEPARTMENT)
    expect(centre.locator(".timeline .action-dispatch")).to_contain_text(DEPARTMENT)
    checked(centre, centre_watch, lang, width, "centre-dispatched")
    assert _case_row(site, code)[1:5] == ("dispatched", "coordination", GRID, DEPARTMENT)

    department, department_watch = new_page(context_for(width, lang, "demo_dept"), site)
    open_from_inbox(department, code)
    act(department, "handle", "Relaid the slabs on a new bed of sand.")
    checked(department, department_watch, lang, width, "department-handled")

    worker, worker_watch = new_page(context_for(width, lang, "demo_gw1"), site)
    open_from_inbox(worker, code)
    act(worker, "verify_pass", "Walked over it: the slabs hold.")
    checked(worker, worker_watch, lang, width, "worker-verified")

    centre.goto(case_url)
    act(centre, "feedback", "The paving was relaid and checked on the spot. Thank you for telling us.")
    expect(centre.locator(".case-status .chip").first).to_have_text(words["closed"])

    resident.goto("/track/")
    resident.fill("#id_code", code.lower())  # as typed from a text message: the page takes any case
    resident.locator("main form button[type=submit]").click()
    expect(resident.locator("dl.facts")).to_contain_text(words["closed"])
    expect(resident.locator("ol.timeline")).to_contain_text("The paving was relaid")
    checked(resident, resident_watch, lang, width, "resident-tracks")
    resident.locator("fieldset.rating label", has_text="4").click()
    resident.fill("#id_comment", "Quick and tidy.")
    resident.locator("form[action$='/rate/'] button[type=submit]").click()
    expect(resident.locator("ul.messages")).to_be_visible()
    expect(resident.locator("dl.facts")).to_contain_text("4 / 5")
    expect(resident.locator("form[action$='/rate/']")).to_have_count(0)  # rated once
    checked(resident, resident_watch, lang, width, "resident-rated")

    assert _case_row(site, code)[1] == "closed" and _case_row(site, code)[5:] == (4, "Quick and tidy.")
    path = ["report", "accept", "dispatch", "handle", "verify_pass", "feedback", "rate"]
    assert _actions(site, case_id) == path


@combos
def test_an_approval_case_goes_through_town_review_and_district_approval_to_its_public_notice(
    site: LiveSite, context_for: Callable[..., BrowserContext], lang: str, width: str
) -> None:
    words = WORDS[lang]
    n = variant(lang, width)
    centre, centre_watch = new_page(context_for(width, lang, "demo_centre"), site)
    centre.goto("/cases/new/")
    category = centre.locator("#id_category option[data-track=approval]").first.get_attribute("value")
    centre.select_option("#id_category", category)
    centre.fill("#id_title", f"Application for a hardship allowance, household {n + 1}")
    centre.fill("#id_description", "The applicant brought the household book and an income statement.")
    centre.select_option("#id_building", index=1)
    centre.click("#report-form button.primary")
    assert re.search(r"/cases/\d+/$", centre.url), centre.url
    code = centre.locator("dl.facts dd.mono").first.inner_text().strip()
    case_id, status, track, *_ = _case_row(site, code)
    assert (status, track) == ("submitted", "approval")
    act(centre, "accept")
    act(centre, "submit_review")
    checked(centre, centre_watch, lang, width, "approval-submitted")

    street, street_watch = new_page(context_for(width, lang, "demo_street"), site)
    open_from_inbox(street, code)
    act(street, "review_pass", "Documents complete; income under the line.")
    checked(street, street_watch, lang, width, "approval-reviewed")

    district, district_watch = new_page(context_for(width, lang, "demo_district"), site)
    open_from_inbox(district, code)
    act(district, "approve", "Approved from next month.")
    checked(district, district_watch, lang, width, "approval-approved")
    assert _case_row(site, code)[1] == "notice"

    public, public_watch = new_page(context_for(width, lang), site)
    public.goto(f"/track/{code}/")
    expect(public.locator("dl.facts")).to_contain_text(words["notice"])
    # The public timeline says what was done and when; the officers' notes stay inside.
    expect(public.locator("ol.timeline strong").last).to_have_text(words["approved"])
    checked(public, public_watch, lang, width, "approval-notice")

    centre.reload()
    act(centre, "publish")
    public.reload()
    expect(public.locator("dl.facts")).to_contain_text(words["closed"])
    assert _case_row(site, code)[1] == "closed"
    path = ["report", "accept", "submit_review", "review_pass", "approve", "publish"]
    assert _actions(site, case_id) == path

"""The output scan (issue 12, "Must show"): the small demo district walked as each demo role, and
no full ID number, phone or birth date of the register in anything a user who revealed nothing
is given: every page the role's home and menus link to and one level below, every API list and
detail answer, every export (XLSX and CSV), the public Open311 answers and tracking pages, and
the log lines and audit rows written meanwhile. Then a grid worker reveals one person (page, API,
export): the full values are in those answers only, and the next requests show them masked
(a reveal lasts for the page, not the session). Gridwork makes no PDF; a PDF link met on the walk
would be scanned as its bytes decoded.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from gridwork.accounts.models import Role, RoleAssignment, User
from gridwork.api.main import api
from gridwork.cases.models import Case, Source
from gridwork.conftest import verify_second_factor
from gridwork.core.models import AuditEvent
from gridwork.demo.builder import build_demo
from gridwork.demo.tests.output_scan import Secrets, csv_text, json_text, xlsx_text
from gridwork.registry.models import Person
from gridwork.transfer.exports import EXPORT_KINDS
from gridwork.web.tests.browser.crawl import Frontier

SCALE = 0.002  # 2 streets, 2 communities, 6 grids, about 60 cases
LINK = re.compile(r"""(?:href|hx-get|action)="([^"#][^"]*)\"""")
API = "/api/v1"
API_LIST_LIMIT = 20
DETAILS_PER_LIST = 3


class Captured(logging.Handler):
    """Every log record written while the walk runs, formatted as a log file would hold it."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@dataclass
class Scan:
    secrets: Secrets
    outputs: int = 0
    kinds: dict[str, int] = field(default_factory=dict)
    leaks: list[str] = field(default_factory=list)

    def text(self, kind: str, where: str, text: str) -> None:
        self.outputs += 1
        self.kinds[kind] = self.kinds.get(kind, 0) + 1
        self.leaks.extend(f"{where}: {hit}" for hit in self.secrets.leaks(text))

    def response(self, where: str, response: Any) -> str:
        """Scan an answer by its content type; the HTML or JSON text, for finding links in."""
        content = b"".join(response.streaming_content) if response.streaming else response.content
        kind = response.get("Content-Type", "").split(";")[0]
        headers = " ".join(f"{k}: {v}" for k, v in response.items())
        if kind.endswith("spreadsheetml.sheet"):
            text = xlsx_text(content)
            kind = "xlsx"
        elif kind == "text/csv":
            text = csv_text(content)
            kind = "csv"
        elif kind == "application/json":
            text = json_text(content)
            kind = "json"
        else:
            text = content.decode("utf-8", "replace")
            kind = kind.split("/")[-1] or "other"
        self.text(kind, where, headers + "\n" + text)
        return text


def _signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    verify_second_factor(client, user)
    return client


def _walk_pages(scan: Scan, client: Client, who: str) -> list[str]:
    """Breadth first from the home page, two links deep, one page of each kind; the files linked."""
    frontier = Frontier(origin="")
    frontier.add("/", 0)
    while (step := frontier.next()) is not None:
        path, depth = step
        response = client.get(path)
        if response.status_code in (301, 302):
            frontier.mark_seen(response["Location"])
            frontier.add(response["Location"], depth)
            continue
        assert response.status_code < 500, (who, path, response.status_code)
        text = scan.response(f"{who} {path}", response)
        for href in LINK.findall(text):
            frontier.add(href.replace("&amp;", "&"), depth + 1)
    return frontier.files


def _scan_files(scan: Scan, client: Client, who: str, files: list[str]) -> None:
    for path in files:
        response = client.get(path)
        assert response.status_code < 500, (who, path, response.status_code)
        scan.response(f"{who} {path}", response)


def _exports(scan: Scan, client: Client, who: str, area: str) -> None:
    """Every export kind in both formats, by the page's button and by the API, at the role's area."""
    for kind in EXPORT_KINDS:
        for fmt in ("xlsx", "csv"):
            page = f"/areas/{area}/export/{kind}/?format={fmt}"
            for path in (page, f"{API}/exports/{kind}?area={area}&format={fmt}"):
                response = client.get(path)
                assert response.status_code < 500, (who, path, response.status_code)
                scan.response(f"{who} {path}", response)


def _api_reads() -> Iterator[tuple[str, list[str]]]:
    """(list path, the read paths of one of its items) for every GET of the API without path
    parameters; an item's reads are the GETs under `list/{key}` with that one parameter."""
    paths = [p for p, ops in api.get_openapi_schema()["paths"].items() if "get" in ops]
    for path in paths:
        if "{" in path:
            continue
        item = re.compile(re.escape(path) + r"/\{[a-z_]+\}(/[a-z-]+)?")
        yield path, [p for p in paths if item.fullmatch(p)]


def _walk_api(scan: Scan, client: Client, who: str) -> None:
    for path, item_reads in _api_reads():
        if path.startswith(f"{API}/exports"):
            continue  # _exports takes every kind and format
        response = client.get(path, {"limit": API_LIST_LIMIT} if item_reads else {})
        assert response.status_code < 500, (who, path, response.status_code)
        scan.response(f"{who} {path}", response)
        if not item_reads or response.status_code != 200:
            continue
        body = response.json()
        items = body.get("items", []) if isinstance(body, dict) else body
        for row in items[:DETAILS_PER_LIST]:
            key = row.get("id", row.get("code"))
            for template in item_reads if key is not None else ():
                url = re.sub(r"\{[a-z_]+\}", str(key), template)
                answer = client.get(url)
                assert answer.status_code < 500, (who, url, answer.status_code)
                scan.response(f"{who} {url}", answer)


def _public(scan: Scan) -> None:
    """What anyone can read: the login and report pages, Open311, tracking pages and their API."""
    client = Client()
    files = _walk_pages(scan, client, "anonymous")
    _scan_files(scan, client, "anonymous", files)
    for path in ("/report/", "/track/", "/open311/v2/services.json"):
        scan.response(f"anonymous {path}", client.get(path))
    for fmt in ("json", "xml"):
        scan.response(f"anonymous requests.{fmt}", client.get(f"/open311/v2/requests.{fmt}"))
    for case in Case.objects.filter(source=Source.OPEN311)[:5]:
        scan.response(f"anonymous open311 {case.pk}", client.get(f"/open311/v2/requests/{case.pk}.json"))
    for code in Case.objects.order_by("pk").values_list("tracking_code", flat=True)[:10]:
        scan.response(f"anonymous /track/{code}/", client.get(f"/track/{code}/"))
        scan.response(f"anonymous public case {code}", client.get(f"{API}/public/cases/{code}"))


def _roles_to_walk() -> list[tuple[str, str]]:
    """One demo user of each role (the first grid worker for the grid workers), with its area."""
    seen, chosen = set(), []
    for assignment in RoleAssignment.objects.filter(user__username__startswith="demo_").order_by("pk"):
        if assignment.role not in seen:
            seen.add(assignment.role)
            chosen.append((assignment.user.username, assignment.area_id))
    return chosen


def _revealed_for_one_answer(scan: Scan) -> None:
    """A reveal shows the full values in its own answer (the scan would find them there), and the
    next request (the page, the API's person and list, a masked export) shows them masked again."""
    worker = User.objects.get(username="demo_gw1")
    grid = RoleAssignment.objects.get(user=worker).area_id
    person = Person.objects.filter(grid_id=grid).exclude(phone="").order_by("pk").first()
    client = _signed_in(worker)
    reason = {"reason": "入户核实身份"}
    page = client.post(f"/people/{person.pk}/reveal/", reason)
    api_reveal = client.post(f"{API}/persons/{person.pk}/reveal", reason, content_type="application/json")
    export = client.post(f"/areas/{grid}/export/persons/", {**reason, "format": "csv"})
    for answer in (page, api_reveal, export):
        assert answer.status_code == 200 and answer["Cache-Control"] == "no-store"
        text = (
            answer.content.decode() if not answer.streaming else csv_text(b"".join(answer.streaming_content))
        )
        assert person.id_number in text and person.phone in text
    before = len(scan.leaks)
    for path in (
        f"/people/{person.pk}/",
        f"{API}/persons/{person.pk}",
        f"{API}/persons?area={grid}&limit=200",
        f"/areas/{grid}/people/",
        f"/areas/{grid}/export/persons/?format=csv",
    ):
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        scan.response(f"demo_gw1 after a reveal {path}", response)
    assert len(scan.leaks) == before


@pytest.fixture
def demo_district(db: None, settings: Any, tmp_path: Path) -> None:
    settings.VAR_DIR = str(tmp_path)
    build_demo(SCALE, seed=7)


def test_no_full_id_number_phone_or_birth_date_in_any_output(demo_district: None) -> None:
    scan = Scan(Secrets.from_database(timezone.localdate()))
    assert len(scan.secrets.numbers) > 500 and scan.secrets.births  # the scan searches for something
    roles = _roles_to_walk()
    assert {role for role, _ in Role.choices} <= {a.role for a in RoleAssignment.objects.all()}
    first_audit = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    captured, linked_files = Captured(), 0
    root = logging.getLogger()
    root.addHandler(captured)
    try:
        for who, area in roles:
            client = _signed_in(User.objects.get(username=who))
            files = _walk_pages(scan, client, who)
            linked_files += len(files)
            _scan_files(scan, client, who, files)
            _exports(scan, client, who, area)
            _walk_api(scan, client, who)
        _public(scan)
        _revealed_for_one_answer(scan)
    finally:
        root.removeHandler(captured)
    for line in captured.lines:
        scan.text("log line", "log", line)
    written = AuditEvent.objects.filter(pk__gt=first_audit)
    for row in written.values():
        scan.text("audit row", f"audit {row['id']}", repr(row))
    print(
        f"output scan: {scan.outputs} outputs scanned as {len(roles)} roles and anonymous: "
        f"{scan.kinds}; {linked_files} files linked from pages"
    )
    assert written.exists() and scan.kinds.get("xlsx") and scan.kinds.get("csv") and scan.kinds.get("json")
    assert not scan.leaks, "\n".join(scan.leaks[:40])

"""Which pages the walker visits: links of the same site, breadth first, one page of each kind.

A page's kind ("shape") is its path with every number replaced, keeping the length of area codes
(a district, a street, a community and a grid are different pages), and its query without numbers
or page number: `/people/17/` and `/people/42/` are one kind, `/cases/?tab=mine` and `/cases/?tab=area`
two. The
walk visits the first page of each kind it meets, to a depth of two links from where it starts:
a role's home page, the pages its menus and home link to, and one level below them.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from urllib.parse import urldefrag, urlsplit

AREA_CODE_LENGTHS = {6, 9, 12, 15}
# Not pages to walk: leaving (logout is a POST anyway), switching language (a POST), Django's back
# office (not Gridwork's pages; its own index is walked, nothing under it), files and the API.
SKIPPED_PREFIXES = ("/logout/", "/i18n/", "/static/", "/api/", "/open311/")
OFFICE_PREFIX = "/admin/"
FILE_SUFFIXES = (".xlsx", ".csv", ".json", ".geojson", ".zip", ".pdf", ".png", ".jpg", ".jpeg")


# The next page of a list is the same kind of page as its first.
PAGER_KEY = "page="


def _number(match: re.Match[str]) -> str:
    digits = match.group(0)
    return f"<area{len(digits)}>" if len(digits) in AREA_CODE_LENGTHS else "<n>"


def shape(path_and_query: str) -> str:
    """The kind of page a URL path (with its query) shows."""
    parts = urlsplit(path_and_query)
    path = re.sub(r"\d+", _number, parts.path)
    pairs = [pair for pair in parts.query.split("&") if pair and not pair.startswith(PAGER_KEY)]
    query = "&".join(sorted(re.sub(r"\d+", "<n>", pair) for pair in pairs))
    return f"{path}?{query}" if query else path


def is_file(path_and_query: str) -> bool:
    parts = urlsplit(path_and_query)
    return parts.path.lower().endswith(FILE_SUFFIXES) or "format=" in parts.query or "/export/" in parts.path


@dataclass
class Frontier:
    """The pages still to visit, each with its depth, and the kinds already taken."""

    origin: str
    max_depth: int = 2
    seen: set[str] = field(default_factory=set)
    queue: deque[tuple[str, int]] = field(default_factory=deque)
    files: list[str] = field(default_factory=list)

    def local(self, href: str) -> str | None:
        """The path and query of a link to this site that the walk may follow, else None."""
        href, _ = urldefrag(href)
        if not href.startswith(self.origin + "/"):
            return None
        local = href[len(self.origin) :]
        if local.startswith(SKIPPED_PREFIXES):
            return None
        if local.startswith(OFFICE_PREFIX) and local != OFFICE_PREFIX:
            return None
        return local

    def add(self, href: str, depth: int, download: bool = False) -> None:
        local = self.local(href)
        if local is None or depth > self.max_depth:
            return
        kind = shape(local)
        if kind in self.seen:
            return
        self.seen.add(kind)
        if download or is_file(local):
            self.files.append(local)
        else:
            self.queue.append((local, depth))

    def mark_seen(self, href: str) -> None:
        """Take the kind of a page reached another way (a redirect's target) as visited."""
        local = self.local(href)
        if local is not None:
            self.seen.add(shape(local))

    def next(self) -> tuple[str, int] | None:
        return self.queue.popleft() if self.queue else None

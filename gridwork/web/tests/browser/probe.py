"""What the browser suite checks on every page it opens.

A `PageWatch` listens to a page for browser console errors, uncaught script errors, failed
requests and answers of 400 or more; `check_page` adds what is read from the rendered page: text
left untranslated, sideways scrolling on a phone, form fields without a label, and axe-core's
violations of serious or critical impact. Data is told from interface text by markup: text inside
an element with `translate="no"`, or with a `lang` other than the page's, is data (names,
addresses, codes), as are `<code>`, `<kbd>` and `<samp>`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import BrowserContext, ConsoleMessage, Page, Request, Response

SERIOUS_IMPACTS = {"serious", "critical"}
# axe-core as the axe-playwright-python package carries it (no CDN). Loaded into every page of a
# context before the page's own scripts (`load_axe`): injecting its 550 kB per check cost more
# than the check itself.
AXE_SCRIPT = Axe().axe_script
_AXE_RUN_JS = "() => axe.run(document, {resultTypes: ['violations']})"

# Text nodes (and the few attributes people read) outside data, with what the heuristic flags in them.
_UNTRANSLATED_JS = r"""
(pageLang) => {
  const english = pageLang.startsWith('en');
  const flag = english ? /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+/
                       : /\b[A-Za-z][A-Za-z']+(?:[ \t\n,;:]+[A-Za-z][A-Za-z']+){2,}\b/;
  const skipTags = new Set(['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE', 'CODE', 'KBD', 'SAMP']);
  const isData = (el) => {
    for (let e = el; e && e !== document.documentElement; e = e.parentElement) {
      if (skipTags.has(e.tagName)) return true;
      const translate = e.getAttribute('translate');  // inherited: the nearest one decides
      if (translate !== null) return translate === 'no';
      const lang = e.getAttribute('lang');
      if (lang !== null && !lang.toLowerCase().startsWith(pageLang.slice(0, 2))) return true;
    }
    return false;
  };
  const found = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const m = node.nodeValue.match(flag);
    if (m && !isData(node.parentElement)) found.push(m[0].trim().slice(0, 60));
  }
  for (const el of document.querySelectorAll('[placeholder], [title], [aria-label], img[alt]')) {
    for (const name of ['placeholder', 'title', 'aria-label', 'alt']) {
      const m = (el.getAttribute(name) || '').match(flag);
      if (m && !isData(el)) found.push(`${name}: ${m[0].slice(0, 60)}`);
    }
  }
  return [...new Set(found)].slice(0, 10);
}
"""

_OVERFLOW_JS = r"""
() => {
  const width = window.innerWidth;
  const scroll = document.scrollingElement.scrollWidth;
  if (scroll <= width) return null;
  const wide = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.right > width + 1 && getComputedStyle(el).position !== 'fixed') {
      const named = typeof el.className === 'string' && el.className;
      const classes = named ? '.' + el.className.split(' ').join('.') : '';
      wide.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + classes);
    }
  }
  return {scroll, width, wide: wide.slice(0, 5)};
}
"""

_UNLABELLED_JS = r"""
() => [...document.querySelectorAll('input, select, textarea')].filter((el) => {
  const type = (el.getAttribute('type') || '').toLowerCase();
  if (['hidden', 'submit', 'button', 'reset', 'image'].includes(type)) return false;
  const labelled = (el.labels && el.labels.length > 0 && [...el.labels].some((l) => l.textContent.trim()))
    || (el.getAttribute('aria-label') || '').trim() || el.getAttribute('aria-labelledby')
    || (el.getAttribute('title') || '').trim();
  return !labelled;
}).map((el) => `${el.tagName.toLowerCase()}[name=${el.getAttribute('name')}]`)
"""


@dataclass
class PageWatch:
    """Problems the browser reports while a page loads and runs: attach once, read per page."""

    origin: str
    problems: list[str] = field(default_factory=list)

    def attach(self, page: Page) -> PageWatch:
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"script error: {error}"))
        page.on("requestfailed", self._failed)
        page.on("response", self._response)
        return self

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.problems.append(f"console error: {message.text[:200]}")

    def _failed(self, request: Request) -> None:
        failure = request.failure or ""
        # A navigation that the next one replaces (a click while a page still loads) is not a fault.
        if "ERR_ABORTED" not in failure:
            self.problems.append(f"request failed: {request.method} {request.url} ({failure})")

    def _response(self, response: Response) -> None:
        request = response.request
        if response.status >= 400 and not request.is_navigation_request():
            self.problems.append(f"answer {response.status}: {request.method} {response.url}")

    def take(self) -> list[str]:
        taken, self.problems = self.problems, []
        return taken


def load_axe(context: BrowserContext) -> None:
    context.add_init_script(script=AXE_SCRIPT)


def axe_violations(page: Page) -> list[str]:
    """axe-core's violations of serious or critical impact (the context must have `load_axe`)."""
    results = page.evaluate(_AXE_RUN_JS)
    found = []
    for violation in results.get("violations", []):
        if violation.get("impact") in SERIOUS_IMPACTS:
            targets = [", ".join(map(str, node.get("target", []))) for node in violation.get("nodes", [])[:3]]
            where = "; ".join(targets)
            found.append(f"axe {violation['impact']} {violation['id']}: {violation['help']} at {where}")
    return found


def check_page(page: Page, *, lang: str, phone: bool, axe: bool = True) -> list[str]:
    """The checks read from the rendered page (PageWatch has the ones the browser reports)."""
    problems = [f"untranslated: {text!r}" for text in page.evaluate(_UNTRANSLATED_JS, lang)]
    if phone:
        overflow: dict[str, Any] | None = page.evaluate(_OVERFLOW_JS)
        if overflow:
            problems.append(
                f"scrolls sideways at {overflow['width']} px (content {overflow['scroll']} px wide): "
                f"{', '.join(overflow['wide'])}"
            )
    problems += [f"form field without a label: {field_}" for field_ in page.evaluate(_UNLABELLED_JS)]
    if axe:
        problems += axe_violations(page)
    return problems


def screenshot(page: Page, path: Path) -> Path:
    """A full-page screenshot (JPEG: a third of a PNG's time and size, text still legible)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True, type="jpeg", quality=80)
    return path

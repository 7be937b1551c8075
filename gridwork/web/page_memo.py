"""Rendered pages kept per process, keyed on everything they were rendered from.

Django's template engine spends milliseconds on a page that the database answers in a fraction
of one. A view that renders through `render_page` reads its data as usual (scoped, current), and
the rendered HTML is looked up by that data: the template, the language and time zone, the user
(id, name, roles version), the full path, and a frozen copy of the whole context. Equal inputs give
an equal page, so a page is never stale: any change to what it shows changes the key (the day is
part of it too). Nothing is kept across processes and nothing is written anywhere. The data is
read on every request; only the rendering is saved (the benchmark reports both costs).

What keeps this exact:
- `freeze` accepts only values whose content it can copy into the key (plain values, lists,
  dicts, model instances with their loaded fields and related objects, pages of a paginator);
  anything else (a lazy queryset, a callable) raises TypeError at the first render. A list that
  carries a `memo_key` (reference data kept under a version token that every write replaces) is
  keyed on that key.
- A render that queries the database (a lazy relation the view did not load) reads data the key
  does not hold; such a page is served but not kept (and counted in `stats`, which tests check).
- Pages with flash messages are not kept (the messages belong to one response).
- The CSRF token is rendered as a per-process placeholder and replaced by a fresh masked token on
  each response, as Django's own rendering would give.
"""

from __future__ import annotations

import datetime as dt
import secrets
import threading
from collections import OrderedDict
from collections.abc import Hashable
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Page
from django.db import connection
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH, get_token
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.functional import Promise

from gridwork.notify.context_processors import unread_count

CSRF_PLACEHOLDER = "gwcsrf" + secrets.token_hex(16)
MAX_BYTES = 64 * 1024 * 1024  # all kept pages of a process together

# Kept as they are: hashable, and equal only when they print the same.
_AS_IS = frozenset({str, int, type(None), bytes, dt.date, dt.datetime, dt.time, dt.timedelta, UUID})
# Equal to values that print differently (True == 1, 1.0 == 1, Decimal("1.0") == 1): tagged.
_TAGGED = (bool, float, Decimal)


def freeze(value: Any) -> Hashable:
    """A hashable copy of `value`'s content (see the module's notes); TypeError where none exists."""
    kind = type(value)
    if kind in _AS_IS:  # the common cases first, by exact type
        return value
    if kind is dict:
        if _AS_IS.issuperset(map(type, value.values())):  # a row of plain values: no loop in Python
            return ("d", tuple(value.items()))
        return ("d", tuple((k, v if type(v) in _AS_IS else freeze(v)) for k, v in value.items()))
    if kind is list or kind is tuple:  # told apart: they print differently
        return (kind is list, tuple(v if type(v) in _AS_IS else freeze(v) for v in value))
    if isinstance(value, list) and getattr(value, "memo_key", None) is not None:
        # Reference data kept under a version token (cases.reference.Kept): the token says it all.
        return ("kept", value.memo_key)
    if isinstance(value, _TAGGED):
        return (kind.__name__, str(value))
    if isinstance(value, Promise):
        # A lazy translation, in the active language (which is part of the key too).
        return str(value)
    if isinstance(value, str | int):  # subclasses: choices, for one
        return (kind.__name__, value)
    if isinstance(value, dict):
        return ("d", tuple((k, freeze(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return (kind.__name__, tuple(freeze(v) for v in value))
    if isinstance(value, set | frozenset):
        return ("s", frozenset(freeze(v) for v in value))
    if isinstance(value, Model):
        return _freeze_model(value)
    if isinstance(value, Page):
        paginator = value.paginator
        return ("p", value.number, paginator.count, paginator.per_page, freeze(list(value.object_list)))
    if isinstance(value, QuerySet) and value._result_cache is not None:
        return ("l", tuple(freeze(v) for v in value._result_cache))
    raise TypeError(f"page_memo cannot key on a {type(value).__name__}: pass its data instead")


def _freeze_model(instance: Model) -> Hashable:
    items = instance.__dict__.items()
    fields = tuple((k, v if type(v) in _AS_IS else freeze(v)) for k, v in items if k != "_state")
    related = tuple((k, freeze(v)) for k, v in instance._state.fields_cache.items())
    return (type(instance).__name__, fields, related)


class _Memo:
    """A bounded least-recently-used map of rendered pages (thread-safe for threaded servers)."""

    def __init__(self) -> None:
        self.pages: OrderedDict[Hashable, str] = OrderedDict()
        self.size = 0
        self.lock = threading.Lock()
        self.stats = {"hits": 0, "misses": 0, "not_kept": 0}

    def get(self, key: Hashable) -> str | None:
        with self.lock:
            page = self.pages.get(key)
            if page is not None:
                self.pages.move_to_end(key)
                self.stats["hits"] += 1
            else:
                self.stats["misses"] += 1
            return page

    def put(self, key: Hashable, page: str, max_entries: int) -> None:
        with self.lock:
            old = self.pages.pop(key, None)
            if old is not None:
                self.size -= len(old)
            self.pages[key] = page
            self.size += len(page)
            while self.pages and (len(self.pages) > max_entries or self.size > MAX_BYTES):
                _, dropped = self.pages.popitem(last=False)
                self.size -= len(dropped)

    def clear(self) -> None:
        with self.lock:
            self.pages.clear()
            self.size = 0


memo = _Memo()


def _has_messages(request: HttpRequest) -> bool:
    # len() reads the stored messages without marking them used.
    return bool(len(messages.get_messages(request)))


def _user_key(request: HttpRequest) -> Hashable:
    user = request.user
    if not user.is_authenticated:
        return None
    return (user.pk, user.get_username(), str(user), getattr(user, "roles_version", None))


_CHAR_INDEX = {char: index for index, char in enumerate(CSRF_ALLOWED_CHARS)}
_CHARS = frozenset(CSRF_ALLOWED_CHARS)
# Random bytes below this are used (modulo the alphabet's size) for the mask: no value favoured.
_UNBIASED_BELOW = 256 - 256 % len(CSRF_ALLOWED_CHARS)


def _fresh_csrf_token(request: HttpRequest) -> str:
    """What django.middleware.csrf.get_token returns (the secret of the request's cookie under a
    new random mask, the cookie then sent again to renew it), with the mask drawn from one read of
    the system's random source rather than one draw per character: each kept page gets one."""
    secret = request.META.get("CSRF_COOKIE")
    if not isinstance(secret, str) or len(secret) != CSRF_SECRET_LENGTH or not _CHARS.issuperset(secret):
        return get_token(request)  # no cookie yet (or not one Django made): Django's own way
    request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True
    size = len(CSRF_ALLOWED_CHARS)
    mask: list[int] = []
    while len(mask) < CSRF_SECRET_LENGTH:
        mask += [b % size for b in secrets.token_bytes(2 * CSRF_SECRET_LENGTH) if b < _UNBIASED_BELOW]
    mask = mask[:CSRF_SECRET_LENGTH]
    chars = CSRF_ALLOWED_CHARS
    cipher = "".join(chars[(_CHAR_INDEX[c] + m) % size] for c, m in zip(secret, mask, strict=True))
    return "".join(chars[m] for m in mask) + cipher


def render_page(request: HttpRequest, template_name: str, context: dict[str, Any]) -> HttpResponse:
    """Render `template_name` like django.shortcuts.render, keeping the HTML for equal inputs."""
    max_entries = settings.PAGE_MEMO_ENTRIES
    if max_entries <= 0 or _has_messages(request):
        return HttpResponse(render_to_string(template_name, context, request))
    context = {**context, "csrf_token": CSRF_PLACEHOLDER}
    if request.user.is_authenticated:
        context["inbox_unread"] = unread_count(request.user)
    key = (
        template_name,
        translation.get_language(),
        timezone.get_current_timezone_name(),
        timezone.localdate(),  # a template's date filters (an age, "today") change with the day
        request.get_full_path(),
        bool(getattr(request, "htmx", False)),
        _user_key(request),
        freeze(context),
    )
    page = memo.get(key)
    if page is None:
        queried = [0]

        def count(execute, sql, params, many, ctx):  # type: ignore[no-untyped-def]
            queried[0] += 1
            return execute(sql, params, many, ctx)

        with connection.execute_wrapper(count):
            page = render_to_string(template_name, context, request)
        if queried[0]:
            memo.stats["not_kept"] += 1
        else:
            memo.put(key, page, max_entries)
    return HttpResponse(page.replace(CSRF_PLACEHOLDER, _fresh_csrf_token(request)))

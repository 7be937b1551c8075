"""Runs the authorization matrix: finds every route, asks it as every principal about an object in
its scope and one outside it, and compares the answers with the table.

Every request runs in a savepoint rolled back after it, so the fixture district stays as built and
a write that succeeded for one principal does not change what the next one meets. A refused write
must change nothing: the rows of every table (but the audit log, which records refusals, and the
sessions) are compared before and after. Outside one's scope an answer must reveal nothing: its
body equals the one for an object that does not exist.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.apps import apps
from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.http import HttpResponse
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from django.utils.crypto import get_random_string
from ninja import NinjaAPI

from gridwork.api.main import api as project_api
from gridwork.api.tests.test_every_route_has_auth import api_operations
from gridwork.conftest import verify_second_factor
from gridwork.web.tests.matrix.district import MISSING, PRINCIPALS, MatrixDistrict
from gridwork.web.tests.matrix.rules import ANONYMOUS, DEPARTMENT, EVERYONE, Ctx, Entry

API_PREFIX = "/api/v1"
# Rows that may change on a refused request: the audit log writes refusals and failed logins; the
# session table holds the test clients' sessions; a token's last use (and when that use was
# logged) and a user's last login.
UNCOMPARED_MODELS = {"core.AuditEvent", "sessions.Session"}
UNCOMPARED_FIELDS = {"last_login", "last_used_at", "use_logged_at", "failed_logins", "locked_until"}
CATCH_ALL = "admin:(?P<url>.*)$"
ANON_ANSWER = {"page": 302, "admin": 302, "api": 401, "open311": 403}


@dataclass
class Counter:
    cases: int = 0
    routes: int = 0


CHECKED = Counter()


def _walk(resolver: URLResolver, namespace: str = "", prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    """("namespace:name", pattern); a pattern without a name is known by its route in the namespace."""
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry, inner, "" if entry.namespace else prefix + str(entry.pattern))
        else:
            yield namespace + (entry.name or prefix + str(entry.pattern)), entry


def url_pattern_names(urlconf: str | None = None) -> set[str]:
    """ "namespace:name" of every URL pattern but the API's operations (ninja lists those)."""
    names = set()
    for name, pattern in _walk(get_resolver(urlconf)):
        if name.startswith("api:") and getattr(pattern.callback, "access_rule", "") == "api_auth":
            continue
        if name.startswith("api:") and pattern.name not in {"openapi-json", "openapi-view", "api-root"}:
            continue  # the open operations are ninja's too
        names.add(name)
    return names


def api_keys(target: NinjaAPI = project_api) -> set[str]:
    return {f"{method} {API_PREFIX}{path}" for method, path, _op in api_operations(target)}


def missing_and_stale(table: dict[str, Entry], urlconf: str | None = None) -> tuple[list[str], list[str]]:
    """Routes without an entry, and entries without a route."""
    names = url_pattern_names(urlconf)
    declared = {key.split(" ", 1)[1] for key in table if not key.split(" ", 1)[1].startswith("/")}
    ops = api_keys()
    missing = sorted(names - declared) + sorted(ops - set(table))
    stale = sorted(declared - names) + sorted(
        k for k in table if k.split(" ", 1)[1].startswith("/") and k not in ops
    )
    return missing, stale


def surface(ref: str) -> str:
    if ref.startswith("/"):
        return "api"
    return {"admin": "admin", "open311": "open311"}.get(ref.split(":")[0], "page")


def fingerprint() -> str:
    digest = hashlib.sha256()
    for model in apps.get_models():
        if model._meta.label in UNCOMPARED_MODELS:
            continue
        fields = [f.attname for f in model._meta.concrete_fields if f.attname not in UNCOMPARED_FIELDS]
        for row in model._base_manager.order_by("pk").values_list(*fields):
            digest.update(repr(row).encode())
        digest.update(model._meta.label.encode())
    return digest.hexdigest()


class Matrix:
    def __init__(self, district: MatrixDistrict) -> None:
        self.d = district
        self.clients: dict[str, Client] = {}
        for principal in PRINCIPALS:
            client = Client(enforce_csrf_checks=True, raise_request_exception=False)
            user = district.user(principal)
            if user is not None:
                client.force_login(user)
                # Reveals and exports need a verified second factor: every session has one, so
                # that what a role is refused is the role's doing, never the missing code's.
                verify_second_factor(client, user)
            token = get_random_string(32)
            client.cookies["csrftoken"] = token
            client.defaults["HTTP_X_CSRFTOKEN"] = token
            self.clients[principal] = client
        # The API's second way in: a bearer token acting with the principal's role, no session.
        self.token_clients = {
            principal: Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Bearer {raw}")
            for principal, raw in district.tokens.items()
        }

    def value(self, principal: str, side: str, kind: str) -> str:
        if kind == "action":
            return "handle" if principal == DEPARTMENT else "accept"
        if side == "missing":
            return MISSING.get(kind, MISSING["int"])
        return self.d.target(principal, side, kind)

    def url(self, ref: str, entry: Entry, principal: str, side: str) -> str:
        kwargs = {
            name: kind[1:] if kind.startswith("=") else self.value(principal, side, kind)
            for name, kind in entry.params.items()
        }
        if ref.startswith("/"):
            path = ref
            for name, value in kwargs.items():
                path = path.replace("{" + name + "}", value)
            return path
        if ref == CATCH_ALL:
            return "/admin/nowhere/"
        if ref.startswith("admin:") and "/<path:object_id>/" in ref:  # the old change URL, redirecting
            return "/admin/" + ref.split(":", 1)[1].replace("<path:object_id>", kwargs["object_id"])
        try:
            return reverse(ref, kwargs=kwargs or None)
        except NoReverseMatch:
            # A pattern without a name is known by its route (the favicon's redirect).
            return "/" + ref

    def request(
        self, key: str, entry: Entry, principal: str, side: str, by_token: bool = False
    ) -> tuple[HttpResponse, bool]:
        """The answer, and whether the rows stayed as they were; nothing of it outlives the call."""
        method, ref = key.split(" ", 1)
        client = self.token_clients[principal] if by_token else self.clients[principal]
        cookies = {name: morsel.value for name, morsel in client.cookies.items()}
        url = self.url(ref, entry, principal, side)
        ctx = Ctx(self.d, principal, side, lambda kind: self.value(principal, side, kind))
        query = {
            name: self.value(principal, side, value[1:]) if value.startswith("@") else value
            for name, value in entry.query.items()
        }
        cache.clear()  # rate limits count per address: every principal starts afresh
        with transaction.atomic():
            before = fingerprint() if method != "GET" else ""
            if method == "GET":
                response = client.get(url, query)
            else:
                if query:
                    url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
                body = entry.body(ctx) if entry.body else {}
                if entry.encoding == "json":
                    response = client.generic(method, url, _json(body), content_type="application/json")
                elif entry.encoding == "multipart" and method == "POST":
                    response = client.post(url, body)
                else:
                    response = client.generic(method, url, _form(body), "application/x-www-form-urlencoded")
            unchanged = method == "GET" or (fingerprint() == before and _references_hold())
            transaction.set_rollback(True)
        client.cookies.clear()
        for name, value in cookies.items():
            client.cookies[name] = value
        return response, unchanged

    def check(self, key: str, entry: Entry, principals: tuple[str, ...] = PRINCIPALS) -> list[str]:
        """Every disagreement of the route's answers with its entry, as lines to read."""
        _method, ref = key.split(" ", 1)
        anon_default = ANON_ANSWER[surface(ref)]
        sides = ("in", "out") if entry.rule.scoped or entry.rule.special else ("in",)
        # A route open to everyone and unscoped (the public board, the report form) may show
        # anything the public may see; every other answer is checked for what lies outside.
        public = entry.rule.who == EVERYONE and not entry.rule.scoped
        problems: list[str] = []
        CHECKED.routes += 1
        for principal in principals:
            ways = [False, True] if ref.startswith("/") and principal in self.token_clients else [False]
            for by_token, side in itertools.product(ways, sides):
                status, refused = entry.rule.expect(principal, side, anon_default, by_token)
                response, unchanged = self.request(key, entry, principal, side, by_token)
                CHECKED.cases += 1
                how = " by token" if by_token else ""
                where = f"{key} as {principal}{how} ({side} scope)"
                if response.status_code != status:
                    problems.append(f"{where}: {response.status_code}, expected {status}")
                if response.status_code >= 500:
                    continue
                if refused and not unchanged:
                    problems.append(f"{where}: refused with {response.status_code} but rows changed")
                body = _text(response)
                secret = self.d.secrets(principal, side) if refused else []
                if not public:
                    secret = secret + self.d.leaks(principal)
                inside = self.d.secrets(principal, "in")
                if (
                    entry.lists
                    and not refused
                    and response.status_code == 200
                    and not any(text in body for text in inside)
                ):
                    problems.append(f"{where}: a list that shows nothing of the scope")
                shown = sorted({text for text in secret if text in body})
                if shown:
                    problems.append(f"{where}: answers {response.status_code} showing {shown}")
                if (
                    side == "out"
                    and status == entry.rule.hidden
                    and entry.rule.scoped
                    and entry.rule.like_missing
                    and principal != ANONYMOUS
                ):
                    problems.extend(self._like_missing(key, entry, principal, response, where, by_token))
        return problems

    def _like_missing(
        self, key: str, entry: Entry, principal: str, out: HttpResponse, where: str, by_token: bool
    ) -> list[str]:
        missing, _unchanged = self.request(key, entry, principal, "missing", by_token)
        CHECKED.cases += 1
        if (missing.status_code, _normal(self, key, entry, principal, "missing", missing)) != (
            out.status_code,
            _normal(self, key, entry, principal, "out", out),
        ):
            a = _normal(self, key, entry, principal, "out", out)
            b = _normal(self, key, entry, principal, "missing", missing)
            at = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
            return [
                f"{where}: answers {out.status_code} unlike a missing object ({missing.status_code}): "
                f"{a[max(0, at - 60) : at + 60]!r} vs {b[max(0, at - 60) : at + 60]!r}"
            ]
        return []


def _normal(
    matrix: Matrix, key: str, entry: Entry, principal: str, side: str, response: HttpResponse
) -> bytes:
    body = _body(response).replace(response.request["PATH_INFO"].encode(), b"<url>")
    kinds = [k for k in entry.params.values() if not k.startswith("=")]
    kinds += [v[1:] for v in entry.query.values() if v.startswith("@")]
    values = {matrix.value(principal, side, kind) for kind in kinds}
    for value in sorted(values, key=len, reverse=True):
        if len(value) > 2:
            body = body.replace(value.encode(), b"<id>")
        else:  # a short id only where the page echoes a query parameter ("person_id=8", value="8")
            for name in entry.query:
                pattern = re.escape(f"{name}={value}".encode()) + rb"(?![0-9])"
                body = re.sub(pattern, f"{name}=<id>".encode(), body)
            body = body.replace(f'value="{value}"'.encode(), b'value="<id>"')
    return re.sub(rb"\b[A-Za-z0-9]{64}\b", b"<csrf>", body)  # masked CSRF tokens differ each time


def _references_hold() -> bool:
    """Whether every foreign key points at a row: the savepoint is rolled back before the commit
    that would check the deferred constraints, so they are checked here."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA foreign_key_check")
            return not cursor.fetchall()
        try:
            with transaction.atomic():
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        except IntegrityError:
            return False
    return True


def _body(response: HttpResponse) -> bytes:
    if response.streaming:
        content = b"".join(response.streaming_content)
        response.streaming_content = [content]
        return content
    return response.content


def _text(response: HttpResponse) -> str:
    """The body as text to search; JSON with its escapes undone, or a name written \\u6d4b… would
    pass unseen."""
    text = _body(response).decode("utf-8", "replace")
    if response.get("Content-Type", "").startswith("application/json"):
        try:
            return json.dumps(json.loads(text), ensure_ascii=False)
        except ValueError:
            return text
    return text


def _json(body: dict[str, Any]) -> str:
    return json.dumps(body)


def _form(body: dict[str, Any]) -> str:
    return urlencode(body)

"""Every API operation must carry auth; only the schema, the docs page and the operations listed
in OPEN_OPERATIONS (each with its reason) are open.

Run as part of the suite: a route added later without auth fails here.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.urls import URLPattern, URLResolver
from ninja import NinjaAPI, Router
from ninja.operation import Operation

from gridwork.api import urls as api_urls
from gridwork.api.main import api

# URL names ninja adds besides the operations: the schema, the docs page and the bare root
# (which only answers 404).
OPEN_URL_NAMES = api_urls.OPEN_URL_NAMES

# Operations open on purpose, with why. Adding one here is a decision: say what it shows and why
# that needs no account.
OPEN_OPERATIONS: dict[str, str] = {
    "POST /public/reports": "residents report a problem without an account (contact required, never "
    "shown back; rate-limited per address)",
    "GET /public/cases/{tracking_code}": "the resident follows their report by its unguessable tracking "
    "code; the public timeline carries no personal data",
    "POST /public/cases/{tracking_code}/rating": "the resident rates the closed case once, holding its "
    "tracking code; rate-limited per address",
}


def api_operations(target: NinjaAPI) -> Iterator[tuple[str, str, Operation]]:
    """(method, path, operation) for every operation as bound to the API, auth inherited."""
    if hasattr(target, "_get_bound_routers"):  # django-ninja ≥ 1.5 binds copies per mount
        mounts = [(bound.prefix, bound.path_operations) for bound in target._get_bound_routers()]
    else:  # older ninja bound auth onto the router's own operations
        mounts = [(prefix, router.path_operations) for prefix, router in target._routers]
    for prefix, path_operations in mounts:
        for path, path_view in path_operations.items():
            for operation in path_view.operations:
                for method in operation.methods:
                    yield method, f"{prefix}{path}", operation


def operations_without_auth(target: NinjaAPI) -> list[str]:
    return [f"{method} {path}" for method, path, op in api_operations(target) if not op.auth_callbacks]


def _url_patterns(patterns: list[Any]) -> Iterator[URLPattern]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _url_patterns(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            yield pattern


def test_every_operation_has_auth() -> None:
    operations = list(api_operations(api))
    assert len(operations) >= 20, "the walk found too few operations: is it still reading ninja right?"
    assert sorted(operations_without_auth(api)) == sorted(OPEN_OPERATIONS)


def test_open_operations_are_labelled_public() -> None:
    open_names = {
        op.view_func.__name__
        for method, path, op in api_operations(api)
        if f"{method} {path}" in OPEN_OPERATIONS
    }
    assert open_names == api_urls.PUBLIC_URL_NAMES - OPEN_URL_NAMES


def test_only_schema_and_docs_are_outside_operations() -> None:
    operation_names = {op.view_func.__name__ for _, _, op in api_operations(api)}
    names = {pattern.name or "" for pattern in _url_patterns(api_urls.urlpatterns)}
    assert names - operation_names <= OPEN_URL_NAMES


def test_every_mounted_pattern_is_labelled() -> None:
    rules = {
        pattern.name: getattr(pattern.callback, "access_rule", None)
        for pattern in _url_patterns(api_urls.urlpatterns)
    }
    assert None not in rules.values()
    assert {name for name, rule in rules.items() if rule == "public"} == api_urls.PUBLIC_URL_NAMES


def test_the_check_catches_an_open_operation() -> None:
    probe = NinjaAPI(urls_namespace="probe-open", auth=[lambda request: None])
    router = Router()

    @router.get("/closed")
    def closed(request: Any) -> None:
        return None

    @router.get("/open", auth=None)
    def open_route(request: Any) -> None:
        return None

    probe.add_router("/r", router)
    assert operations_without_auth(probe) == ["GET /r/open"]

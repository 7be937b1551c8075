"""Walks every URL pattern of the project and fails when one has no access rule.

A page carries `access_rule` (gridwork.accounts.decorators); an API route is labelled by gridwork/api/urls.py
and each of its operations is checked for auth in gridwork/api/tests/test_every_route_has_auth.py;
the admin's views are guarded by the back-office site (gridwork.accounts.admin_site), whose own
permission check is tested in core/tests. Anything else must be listed here, with its reason.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.contrib.admin import AdminSite
from django.urls import URLPattern, URLResolver, get_resolver

from gridwork.accounts.admin_site import site as back_office

# Views that are not ours and are open by nature, with why.
OPEN_BY_NATURE = {
    # Stores the language preference in a cookie; reads and writes no data.
    "django.views.i18n.set_language": "public",
}


def walk(resolver: URLResolver, prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from walk(entry, route)
        else:
            yield route, entry


def rule_of(pattern: URLPattern) -> str | None:
    callback = pattern.callback
    rule = getattr(callback, "access_rule", None)
    if rule:
        return rule
    name = f"{callback.__module__}.{callback.__name__}"
    if name in OPEN_BY_NATURE:
        return OPEN_BY_NATURE[name]
    site = getattr(callback, "admin_site", None) or getattr(callback, "__self__", None)
    model_admin = getattr(callback, "model_admin", None)
    if model_admin is not None:
        site = model_admin.admin_site
    if isinstance(site, AdminSite):
        return "admin" if site is back_office else None
    return None


def test_every_url_pattern_has_an_access_rule() -> None:
    patterns = list(walk(get_resolver()))
    assert len(patterns) > 30  # the walk reaches the pages, the API and the admin
    missing = [route for route, pattern in patterns if rule_of(pattern) is None]
    assert missing == []


def test_only_the_back_office_admin_site_is_mounted() -> None:
    sites = set()
    for _route, pattern in walk(get_resolver()):
        model_admin = getattr(pattern.callback, "model_admin", None)
        if model_admin is not None:
            sites.add(model_admin.admin_site)
    assert sites == {back_office}


def test_the_walk_catches_a_view_without_a_rule() -> None:
    def bare_view(request: object) -> None:  # pragma: no cover - never called
        return None

    from django.urls import path

    assert rule_of(path("x/", bare_view)) is None

"""Every page carries an access rule; a view without one fails here."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, get_resolver

from gridwork.web import urls as web_urls


def _patterns(resolver: URLResolver) -> list[URLPattern]:
    found: list[URLPattern] = []
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            found.extend(_patterns(entry))
        else:
            found.append(entry)
    return found


def test_every_web_view_has_an_access_rule() -> None:
    missing = [str(p.pattern) for p in web_urls.urlpatterns if not hasattr(p.callback, "access_rule")]
    assert missing == []


def test_web_views_are_mounted_with_their_rules() -> None:
    web_callbacks = {p.callback for p in web_urls.urlpatterns}
    mounted = {p.callback for p in _patterns(get_resolver()) if p.callback in web_callbacks}
    assert mounted == web_callbacks
    rules = {p.name: p.callback.access_rule for p in web_urls.urlpatterns}
    assert rules["login"] == "public"
    assert rules["home"] == "signed_in"
    assert rules["person_reveal"] == "requires:register.reveal"
    assert rules["audit"] == "requires:audit.view"

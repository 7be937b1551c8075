"""Mounts the API. Each URL pattern is labelled with its access rule (`view.access_rule`, as the
pages do), so a walk over every URL pattern of the project can check the API's too: the
operations are "api_auth" (token or session, enforced by ninja and checked by
tests/test_every_route_has_auth.py), the schema and the docs page "public"."""

from django.urls import URLPattern, URLResolver, path

from gridwork.api.main import api
from gridwork.cases.public_api import PUBLIC_OPERATION_NAMES

OPEN_URL_NAMES = frozenset({"openapi-json", "openapi-view", "api-root"})
# Operations open by design (residents without an account); each is listed with its reason in
# tests/test_every_route_has_auth.py.
PUBLIC_URL_NAMES = OPEN_URL_NAMES | PUBLIC_OPERATION_NAMES


def _label(patterns: list[URLPattern | URLResolver]) -> list[URLPattern | URLResolver]:
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            pattern.callback.access_rule = "public" if pattern.name in PUBLIC_URL_NAMES else "api_auth"
    return patterns


_patterns, _app_name, _namespace = api.urls
urlpatterns = [path("", (_label(_patterns), _app_name, _namespace))]

"""A bare django-ninja endpoint: one row by primary key, no auth, no scoping, no masking."""

from __future__ import annotations

from django.http import Http404, HttpRequest
from ninja import NinjaAPI

from gridwork.registry.models import Person

api = NinjaAPI(title="bench bare", urls_namespace="bench-bare", docs_url=None, openapi_url=None)


@api.get("/rows/{pk}")
def read_row(request: HttpRequest, pk: int) -> dict:
    row = Person.objects.filter(pk=pk).values("id", "name", "grid_id", "status").first()
    if row is None:
        raise Http404
    return row

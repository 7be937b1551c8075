"""Bare django-ninja endpoints: one row read by primary key, one case row inserted; no auth, no
scoping, no masking, no routing, timeline or audit."""

from __future__ import annotations

import secrets

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import NinjaAPI

from gridwork.cases.models import Case
from gridwork.registry.models import Person

api = NinjaAPI(title="bench bare", urls_namespace="bench-bare", docs_url=None, openapi_url=None)


@api.get("/rows/{pk}")
def read_row(request: HttpRequest, pk: int) -> dict:
    row = Person.objects.filter(pk=pk).values("id", "name", "grid_id", "status").first()
    if row is None:
        raise Http404
    return row


@api.post("/rows", response={201: dict})
def insert_row(request: HttpRequest) -> tuple[int, dict]:
    # One row into the same table (same indexes) as a reported case, with the fields it needs.
    template = _case_template()
    case = Case.objects.create(
        **template, tracking_code="X" + secrets.token_hex(7), created_at=timezone.now()
    )
    return 201, {"id": case.pk}


_TEMPLATE: dict = {}


def _case_template() -> dict:
    if not _TEMPLATE:
        row = Case.objects.values("category_id", "grid_id").first() or {}
        _TEMPLATE.update(row, track="routine", status="submitted", source="patrol", title="bare")
    return _TEMPLATE

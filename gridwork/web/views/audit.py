"""The audit log for auditors, limited to the areas they audit: the page and its export."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from gridwork.accounts.access import AUDIT_VIEW
from gridwork.accounts.decorators import requires
from gridwork.core.models import AuditEvent
from gridwork.transfer.audit_export import CONTENT_TYPES, AuditFilters, http_response, start_audit_export
from gridwork.web.audit_scope import audit_events_visible_to
from gridwork.web.forms import AuditFilterForm
from gridwork.web.pagination import paginate


def _filters(request: HttpRequest) -> tuple[AuditFilterForm, AuditFilters]:
    """The filters asked for; a value that does not parse is left out (and shown as an error)."""
    form = AuditFilterForm(request.GET or None, actions=AuditEvent.Action.choices)
    if not form.is_bound:
        return form, AuditFilters()
    form.is_valid()
    data = form.cleaned_data
    return form, AuditFilters(
        action=data.get("action") or "",
        actor=(data.get("actor") or "").strip(),
        since=data.get("since"),
        until=data.get("until"),
    )


@requires(AUDIT_VIEW)
def audit_log(request: HttpRequest) -> HttpResponse:
    form, filters = _filters(request)
    events = filters.apply(audit_events_visible_to(request.user))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "web/audit.html",
        {
            "page": paginate(request, events),
            "form": form,
            "action": filters.action,
            "query": query.urlencode(),
        },
    )


@requires(AUDIT_VIEW)
def audit_export(request: HttpRequest, file_format: str) -> HttpResponse:
    if file_format not in CONTENT_TYPES:
        raise Http404
    _form, filters = _filters(request)
    try:
        export = start_audit_export(request.user, filters, file_format)
    except ValidationError as exc:  # pragma: no cover - the format is checked above
        raise Http404 from exc
    return http_response(export)

"""The audit log for auditors, limited to the areas they audit."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from gridwork.accounts.access import AUDIT_VIEW
from gridwork.accounts.decorators import requires
from gridwork.core.models import AuditEvent
from gridwork.web.audit_scope import audit_events_visible_to
from gridwork.web.pagination import paginate


@requires(AUDIT_VIEW)
def audit_log(request: HttpRequest) -> HttpResponse:
    events = audit_events_visible_to(request.user)
    action = request.GET.get("action") or ""
    if action in AuditEvent.Action.values:
        events = events.filter(action=action)
    else:
        action = ""
    return render(
        request,
        "web/audit.html",
        {
            "page": paginate(request, events),
            "action": action,
            "actions": AuditEvent.Action.choices,
        },
    )

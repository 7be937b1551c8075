"""The audit log and record history in the back office: read-only, for auditors (audit.view),
within their areas. Nobody adds, changes or deletes an entry."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from gridwork.accounts.access import AUDIT_VIEW, scope_codes
from gridwork.accounts.admin_site import site
from gridwork.core import audit
from gridwork.core.admin_base import ServiceModelAdmin
from gridwork.core.masking import mask_id_number, mask_phone
from gridwork.core.models import AuditEvent, RecordHistory
from gridwork.core.scoping import prefix_q

# History keeps whole values; an auditor reads who changed what, not the people's numbers.
_MASKS = {"id_number": mask_id_number, "phone": mask_phone, "contact_phone": mask_phone}


def masked_json(data: Any) -> Any:
    if isinstance(data, dict):
        return {
            key: _MASKS[key](value) if key in _MASKS and isinstance(value, str) else masked_json(value)
            for key, value in data.items()
        }
    if isinstance(data, list):
        return [masked_json(item) for item in data]
    return data


def _pretty(data: Any) -> str:
    return format_html(
        "<pre>{}</pre>", json.dumps(masked_json(data), ensure_ascii=False, indent=2, sort_keys=True)
    )


def audit_scope(user: Any) -> models.Q | None:
    """Entries an auditor may read: those in its areas; entries with no area (logins, accounts)
    only for an auditor of a whole district, since they belong to no smaller area."""
    codes = scope_codes(user, AUDIT_VIEW)
    query = prefix_q("area_code", codes)
    if query is None:
        return None
    if any(len(code) == 6 for code in codes):
        query |= models.Q(area_code="")
    return query


def may_read(user: Any, area_code: str) -> bool:
    codes = scope_codes(user, AUDIT_VIEW)
    if not area_code:
        return any(len(code) == 6 for code in codes)
    return any(area_code.startswith(code) for code in codes)


class AuditReadAdmin(ServiceModelAdmin):
    """Read-only: only the view permission is ever granted (the base refuses the rest)."""

    def get_queryset(self, request: HttpRequest) -> models.QuerySet:
        query = audit_scope(request.user)
        return self.model.objects.filter(query) if query is not None else self.model.objects.none()

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is None:
            return bool(scope_codes(request.user, AUDIT_VIEW))
        return may_read(request.user, obj.area_code)


@admin.register(AuditEvent, site=site)
class AuditEventAdmin(AuditReadAdmin):
    list_display = ("at", "actor_label", "action", "object_type", "object_id", "area_code", "ip", "reason")
    list_filter = ("action",)
    search_fields = ("actor_label", "object_type", "=object_id", "area_code")
    fields = (
        "at",
        "actor_label",
        "action",
        "object_type",
        "object_id",
        "area_code",
        "ip",
        "reason",
        "detail_masked",
    )
    readonly_fields = fields

    @admin.display(description=_("detail"))
    def detail_masked(self, obj: AuditEvent) -> str:
        return _pretty(obj.detail)


@admin.register(RecordHistory, site=site)
class RecordHistoryAdmin(AuditReadAdmin):
    list_display = ("at", "actor_label", "action", "object_type", "object_id", "area_code")
    list_filter = ("action", "object_type")
    search_fields = ("actor_label", "=object_id", "area_code")
    fields = (
        "at",
        "actor_label",
        "action",
        "object_type",
        "object_id",
        "area_code",
        "before_masked",
        "after_masked",
    )
    readonly_fields = fields

    @admin.display(description=_("before"))
    def before_masked(self, obj: RecordHistory) -> str:
        return _pretty(audit.history_values(obj)[0])

    @admin.display(description=_("after"))
    def after_masked(self, obj: RecordHistory) -> str:
        return _pretty(audit.history_values(obj)[1])

"""Which audit entries an auditor may read: those of areas under the auditor's areas.

Entries with no area (logins, account changes) belong to no street or community, so only a
district-level auditor sees them.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from gridwork.accounts.access import AUDIT_VIEW, scope_codes
from gridwork.core.models import AuditEvent
from gridwork.core.scoping import prefix_q

DISTRICT_CODE_LENGTH = 6


def audit_events_visible_to(user: Any) -> QuerySet[AuditEvent]:
    codes = scope_codes(user, AUDIT_VIEW)
    query = prefix_q("area_code", codes)
    if query is None:
        return AuditEvent.objects.none()
    if any(len(code) == DISTRICT_CODE_LENGTH for code in codes):
        query |= Q(area_code="")
    return AuditEvent.objects.filter(query)

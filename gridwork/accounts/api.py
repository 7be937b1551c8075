"""The caller's own account: who they are, the roles they hold and where."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema

from gridwork.accounts.access import CAPABILITIES, active_assignments, scope_codes

router = Router(tags=["accounts"])


class RoleOut(Schema):
    role: str
    role_label: str
    area: str
    area_name: str
    department: str
    valid_from: dt.date | None
    valid_to: dt.date | None


class MeOut(Schema):
    username: str
    display_name: str
    roles: list[RoleOut]
    capabilities: dict[str, list[str]]


@router.get("/me", response=MeOut, summary="The signed-in user, their roles and capabilities")
def me(request: HttpRequest) -> dict:
    user = request.user
    roles = [
        {
            "role": a.role,
            "role_label": a.get_role_display(),
            "area": a.area_id,
            "area_name": a.area.name,
            "department": a.department,
            "valid_from": a.valid_from,
            "valid_to": a.valid_to,
        }
        for a in active_assignments(user)
    ]
    # Each capability with the area codes it reaches over (their whole subtrees).
    capabilities = {cap: codes for cap in CAPABILITIES if (codes := scope_codes(user, cap))}
    return {
        "username": user.get_username(),
        "display_name": user.display_name,
        "roles": roles,
        "capabilities": capabilities,
    }

"""The district fixture plus what cases need: department handlers and the other community's centre."""

from __future__ import annotations

from typing import Any

import pytest

from gridwork.accounts import services as accounts
from gridwork.accounts.access import forget_assignments
from gridwork.accounts.models import Role
from gridwork.cases import seed
from gridwork.conftest import COMMUNITY_B, GRID_ORIGINS, PASSWORD, STREET_A, District
from gridwork.core.system import SYSTEM

URBAN = seed.URBAN  # the department of category E0104 and most street-order categories
MUNICIPAL = seed.MUNICIPAL

# A point inside each grid (the grids are 0.01° squares).
POINTS = {code: (lon + 0.004, lat + 0.004) for code, (lon, lat) in GRID_ORIGINS.items()}


@pytest.fixture
def cd(district: District) -> District:
    """The district with department handlers: `department` (URBAN at street A), `dept_other` (MUNICIPAL),
    and `centre_b` (acceptance centre of community B)."""
    accounts.grant_role(
        SYSTEM, district.users["department"], Role.DEPARTMENT_HANDLER, STREET_A, department=URBAN
    )
    forget_assignments(district.users["department"])
    for key, role, area, department in (
        ("dept_other", Role.DEPARTMENT_HANDLER, STREET_A, MUNICIPAL),
        ("centre_b", Role.ACCEPTANCE_CENTRE, COMMUNITY_B, ""),
    ):
        user = accounts.create_user(SYSTEM, key, PASSWORD, display_name=key, check_password=False)
        accounts.grant_role(SYSTEM, user, role, area, department=department)
        district.users[key] = user
    return district


def fresh(user: Any) -> Any:
    forget_assignments(user)
    return user

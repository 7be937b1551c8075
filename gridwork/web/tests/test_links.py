"""record_link gives what reverse() gives, for every list's pattern."""

from __future__ import annotations

import pytest
from django.urls import reverse

from gridwork.web.links import record_link


@pytest.mark.parametrize("name", ["web:case", "web:person", "web:household", "web:building"])
@pytest.mark.parametrize("pk", [1, 42, 918273645, 10**12])
def test_record_link_equals_reverse(name: str, pk: int) -> None:
    assert record_link(name)(pk) == reverse(name, args=[pk])

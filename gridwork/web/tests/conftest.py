"""Fixtures of the page tests: the case district (`cd`, from the cases tests) and a throwaway media folder."""

from __future__ import annotations

from typing import Any

import pytest

from gridwork.cases.tests.conftest import cd  # noqa: F401 (re-exported fixture)


@pytest.fixture
def media(settings: Any, tmp_path: Any) -> Any:
    """Photos stored in a temporary folder, never in the var directory."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path

"""Fixtures of the page tests: the case district (`cd`, from the cases tests) and a throwaway media folder."""

from __future__ import annotations

from typing import Any

import pytest

from gridwork.cases.tests.conftest import cd  # noqa: F401 (re-exported fixture)
from gridwork.web.tests.matrix import runner as matrix_runner


@pytest.fixture
def media(settings: Any, tmp_path: Any) -> Any:
    """Photos stored in a temporary folder, never in the var directory."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """The authorization matrix's count, shown in every run that checked it."""
    checked = matrix_runner.CHECKED
    if checked.cases:
        terminalreporter.write_sep(
            "-", f"authorization matrix: {checked.cases} cases checked over {checked.routes} route checks"
        )

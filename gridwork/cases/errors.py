"""Errors of the case services; the API answers both with 409."""

from __future__ import annotations

from gridwork.core.errors import Conflict


class TransitionNotAllowed(Conflict):
    """The action is not possible in the case's current status or track."""


class StaleCase(Conflict):
    """The caller acted on an older version of the case."""

"""Errors that services raise and the pages and the API translate into answers."""

from __future__ import annotations

from django.utils.translation import gettext as _


class NotFound(Exception):
    """The record does not exist or lies outside the actor's scope: both answer 404."""


class Conflict(Exception):
    """The record changed state under the caller; try again."""


def not_in_area() -> str:
    """The one answer for a record that is missing or outside the caller's scope (the two must not
    differ, or the answer tells that a record exists elsewhere)."""
    return _("No such record in your area.")

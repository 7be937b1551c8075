"""Errors that services raise and the pages and the API translate into answers."""

from __future__ import annotations


class NotFound(Exception):
    """The record does not exist or lies outside the actor's scope: both answer 404."""


class Conflict(Exception):
    """The record changed state under the caller; try again."""

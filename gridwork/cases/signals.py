"""Sent after commit, once per timeline entry: case_id, event_id, action, to_status."""

from __future__ import annotations

from django.dispatch import Signal

case_event = Signal()

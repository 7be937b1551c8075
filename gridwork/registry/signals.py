"""Sent after a register change commits: (sender=model, pk, grid_code, action)."""

from django.dispatch import Signal

register_changed = Signal()

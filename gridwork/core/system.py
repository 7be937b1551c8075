"""The actor for work done by the system itself (management commands, the demo builder)."""

from __future__ import annotations


class SystemActor:
    is_authenticated = False
    is_active = True
    is_system = True
    pk = None

    def get_username(self) -> str:
        return "system"

    def __str__(self) -> str:
        return "system"


SYSTEM = SystemActor()


def is_system(actor: object) -> bool:
    return getattr(actor, "is_system", False) is True

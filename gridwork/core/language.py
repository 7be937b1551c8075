"""Gridwork speaks Chinese (zh-hans, the default) and English: picking the text for a language."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from django.utils.translation import get_language

T = TypeVar("T")
# What `translated_once` made, by (name, language).
_MADE: dict[tuple[Hashable, str | None], Any] = {}


def is_english(language: str | None = None) -> bool:
    """Whether the language (default: the active one) is English; anything else reads Chinese."""
    return (language if language is not None else get_language() or "").startswith("en")


def pick(zh: T, en: T, language: str | None = None) -> T:
    return en if is_english(language) else zh


def active_language_code() -> str:
    """The active language as one of the two codes a stored job or report keeps."""
    return "en" if is_english() else "zh-hans"


def translated_once(name: Hashable, make: Callable[[], T]) -> T:
    """What `make` gives in the active language, made once per language and process: labels that
    a page translates for every row (translations are fixed while the process runs). `name` names
    what `make` makes; callers must not change the result."""
    key = (name, get_language())
    made = _MADE.get(key)
    if made is None:
        made = _MADE[key] = make()
    return made


def choice_labels(choices: Any) -> dict[str, str]:
    """value -> label of a Django choices class, in the active language (see translated_once)."""
    return translated_once(
        ("choices", choices), lambda: {value: str(label) for value, label in choices.choices}
    )

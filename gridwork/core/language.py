"""Gridwork speaks Chinese (zh-hans, the default) and English: picking the text for a language."""

from __future__ import annotations

from typing import Any, TypeVar

from django.utils.translation import get_language

T = TypeVar("T")


def is_english(language: str | None = None) -> bool:
    """Whether the language (default: the active one) is English; anything else reads Chinese."""
    return (language if language is not None else get_language() or "").startswith("en")


def pick(zh: T, en: T, language: str | None = None) -> T:
    return en if is_english(language) else zh


def active_language_code() -> str:
    """The active language as one of the two codes a stored job or report keeps."""
    return "en" if is_english() else "zh-hans"


def choice_labels(choices: Any) -> dict[str, str]:
    """value -> label of a Django choices class, in the active language."""
    return {value: str(label) for value, label in choices.choices}

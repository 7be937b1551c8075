"""Small display helpers for the pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe

from gridwork.core.masking import age_on, mask_free_text

register = template.Library()


@register.filter
def age(birth: dt.date | None, today: dt.date | None = None) -> int | str:
    """Age in whole years: the pages show it instead of the birth date, which stays masked."""
    found = age_on(birth, today or timezone.localdate())
    return "" if found is None else found


@register.filter
def private_text(value: str | None, revealed: bool = False) -> str:
    """Free text as written when revealed (audited); else with ID-like and phone-like numbers masked."""
    return (value or "") if revealed else mask_free_text(value)


def _option(value: str, label: str, selected: str, track: str = "", indent: bool = False) -> str:
    track_attribute = f' data-track="{escape(track)}"' if track else ""
    chosen = " selected" if value == selected else ""
    space = "&nbsp;&nbsp;" if indent else ""
    return f'<option value="{escape(value)}"{track_attribute}{chosen}>{space}{escape(label)}</option>'


@register.simple_tag
def category_options(groups: list[dict[str, Any]], selected: str = "") -> str:
    """The <option>s of a category tree (web.views.case_forms.category_choices), built in Python: a
    page lists some eighty categories, which the template language takes milliseconds to loop over.
    Groups with a code are choices themselves (a filter's branch); without one, an <optgroup>.
    Every value and label is escaped here."""
    selected = str(selected or "")
    parts = []
    for group in groups:
        branch = bool(group["code"])
        leaves = [
            _option(leaf["code"], leaf["label"], selected, leaf["track"], branch) for leaf in group["leaves"]
        ]
        if branch:
            parts += [_option(group["code"], group["label"], selected), *leaves]
        else:
            parts.append(f'<optgroup label="{escape(group["label"])}">{"".join(leaves)}</optgroup>')
    return mark_safe("".join(parts))  # noqa: S308 - every value and label in it is escaped above


@register.filter
def data(value: Any) -> str:
    """A value of the register (a name, an address, a code) marked as data, not interface text:
    `translate="no"` keeps a browser's translator off it and tells the browser suite's check for
    untranslated text that it is not to be translated. For an element's text only, never an attribute."""
    if value is None or value == "":
        return ""
    return mark_safe(f'<span translate="no">{escape(value)}</span>')  # noqa: S308 - escaped just before

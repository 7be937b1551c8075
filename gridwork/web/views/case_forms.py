"""Small helpers shared by the staff and resident case pages: pickers, points, errors, size limits."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _

from gridwork.cases import reference
from gridwork.cases.models import Source
from gridwork.cases.photos import max_bytes
from gridwork.core.language import is_english

STAFF_SOURCES = (Source.PATROL, Source.VISIT, Source.MEMO, Source.HOTLINE)
# Room for the text fields and the multipart envelope besides the photos.
FORM_OVERHEAD_BYTES = 256 * 1024


def category_choices(*, leaves_only: bool) -> list[dict[str, Any]]:
    """The active category tree as groups (the parents of leaves), each with its leaves, in code order.

    `leaves_only=False` also offers each group itself, so a filter can select a whole branch."""
    english = is_english()
    nodes = reference.active_category_rows()
    labels = {pk: f"{code} {name_en if english else name_zh}" for pk, code, _p, name_zh, name_en, _t in nodes}
    codes = {pk: code for pk, code, *_rest in nodes}
    parents = {parent for _pk, _code, parent, *_rest in nodes}
    groups: dict[int | None, dict[str, Any]] = {}
    for pk, code, parent, _zh, _en, track in nodes:
        if pk in parents:
            continue
        group = groups.setdefault(
            parent,
            {"code": codes.get(parent, ""), "label": labels.get(parent, ""), "leaves": []},
        )
        group["leaves"].append({"code": code, "label": labels[pk], "track": track})
    result = list(groups.values())
    if leaves_only:
        for group in result:
            group["code"] = ""
    return result


def parse_point(data: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """lon/lat as sent (the service checks them); None for both when neither was given."""
    lon = (data.get("lon") or "").strip()[:32]
    lat = (data.get("lat") or "").strip()[:32]
    if not lon and not lat:
        return None, None
    return lon, lat


FIELD_LABELS = {
    "category": lambda: _("Category"),
    "title": lambda: _("Title"),
    "description": lambda: _("Description"),
    "location": lambda: _("Location"),
    "building": lambda: _("Building"),
    "photos": lambda: _("Photos"),
    "note": lambda: _("Note"),
    "reporter_phone": lambda: _("Phone"),
    "reporter_name": lambda: _("Name"),
    "department": lambda: _("Department"),
    "amount": lambda: _("Amount"),
    "unit": lambda: _("Unit"),
    "into": lambda: _("Merge into"),
    "track": lambda: _("Track"),
    "rating": lambda: _("Rating"),
    "comment": lambda: _("Comment"),
}


def error_messages(exc: ValidationError) -> list[str]:
    """One readable line per problem, prefixed with the field it concerns."""
    if not hasattr(exc, "error_dict"):
        return list(exc.messages)
    lines = []
    for field, problems in exc.message_dict.items():
        label = FIELD_LABELS.get(field)
        for problem in problems:
            lines.append(f"{label()}: {problem}" if label else problem)
    return lines


def request_too_large(request: HttpRequest, *, photos: int) -> bool:
    """Refuse a body larger than the photos allowed plus the form itself, whatever it holds."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return True
    return length > photos * max_bytes() + FORM_OVERHEAD_BYTES

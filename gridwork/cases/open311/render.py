"""Open311 answers in the format the URL's suffix names: JSON or XML, errors in the spec's shape."""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree as ET

from django.http import HttpResponse, JsonResponse

FORMATS = ("json", "xml")


class Open311Error(Exception):
    """An error answered in the spec's format: [{"code": 400, "description": "..."}]."""

    def __init__(self, status: int, *descriptions: str) -> None:
        super().__init__(descriptions[0] if descriptions else "")
        self.status = status
        self.descriptions = list(descriptions) or [""]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _element(tag: str, value: Any) -> ET.Element:
    node = ET.Element(tag)
    if isinstance(value, dict):
        for key, item in value.items():
            node.append(_element(key, item))
    elif isinstance(value, list):
        # The spec names list items by their parent: <attributes><attribute>…
        child = tag[:-1] if tag.endswith("s") else "item"
        for item in value:
            node.append(_element(child, item))
    else:
        node.text = _text(value)
    return node


XML_HEAD = b'<?xml version="1.0" encoding="utf-8"?>'


def _xml(top: ET.Element, status: int) -> HttpResponse:
    body = XML_HEAD + ET.tostring(top, encoding="utf-8")
    return HttpResponse(body, status=status, content_type="text/xml; charset=utf-8")


def _json(value: Any, status: int) -> HttpResponse:
    return JsonResponse(value, status=status, safe=False, json_dumps_params={"ensure_ascii": False})


def respond(fmt: str, rows: list[dict[str, Any]], root: str, item: str, status: int = 200) -> HttpResponse:
    """`rows` as a JSON array, or as XML <root><item>…</item>…</root>."""
    if fmt == "xml":
        top = ET.Element(root)
        for row in rows:
            top.append(_element(item, row))
        return _xml(top, status)
    return _json(rows, status)


def respond_document(fmt: str, root: str, document: dict[str, Any]) -> HttpResponse:
    """One object: a JSON object, or XML whose root element is `root`."""
    return _xml(_element(root, document), 200) if fmt == "xml" else _json(document, 200)


def error_response(fmt: str, error: Open311Error) -> HttpResponse:
    rows = [{"code": error.status, "description": text} for text in error.descriptions]
    return respond(fmt if fmt in FORMATS else "json", rows, "errors", "error", status=error.status)

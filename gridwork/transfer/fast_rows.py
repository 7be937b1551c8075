"""Parsing cells into values as `rows.parse_row` does, fast enough for a million rows.

The column parsers are pure functions of the cell, and most columns hold few distinct values
(codes, dates, choices), so each parser's results are remembered per distinct cell (up to a
bound, so a hostile file cannot grow the memory). Text and code columns holding a string take a
shortcut equal to `columns.text` / `columns.code_text` on a string: strip (and upper-case).

The per-row function is generated once per file from the column list (one straight block of
code per column, no loop over column objects): the loop's own overhead was a third of the time.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from gridwork.transfer.columns import Kind, code_text, text
from gridwork.transfer.formulas import unescape_formula

MEMO_LIMIT = 50_000

ParseFunction = Callable[[list[Any]], tuple[dict[str, Any], dict[str, list[str]] | None]]


def _memoised(
    parse: Callable[[Any], Any], memo: dict[Any, tuple[bool, Any]]
) -> Callable[[Any], tuple[bool, Any]]:
    """(True, value) or (False, messages) for a cell, remembered per distinct cell."""

    def outcome(cell: Any) -> tuple[bool, Any]:
        # 1, 1.0 and True are equal keys; the type keeps their (different) parses apart.
        key = cell if type(cell) is str else (type(cell), cell)
        found = memo.get(key)
        if found is None:
            try:
                found = (True, parse(cell))
            except ValidationError as exc:
                found = (False, exc.messages)
            if len(memo) < MEMO_LIMIT:
                memo[key] = found
        return found

    return outcome


class RowParser:
    """values, errors = parser.parse(cells): the same values and errors as `rows.parse_row`."""

    def __init__(self, kind: Kind, index: dict[str, int]) -> None:
        namespace = _generate(kind, index, _("This field is required."))
        self.parse: ParseFunction = namespace["parse"]
        # Each column's memoised parser and its memo, by column key, shared with fast_persons.
        self.outcomes = {col.key: namespace[f"outcome{n}"] for n, col in enumerate(kind.columns)}
        self.memos = {col.key: namespace[f"memo{n}"] for n, col in enumerate(kind.columns)}


def _generate(kind: Kind, index: dict[str, int], required_message: str) -> dict[str, Any]:
    namespace: dict[str, Any] = {"REQUIRED": required_message, "unescape": unescape_formula}
    lines = ["def parse(cells):", "    values = {}", "    errors = None", "    size = len(cells)"]

    def store(indent: str, key: str, required: bool) -> list[str]:
        if not required:
            return [f"{indent}values[{key}] = value"]
        return [
            f"{indent}if value is None or value == '':",
            f"{indent}    errors = errors or {{}}",
            f"{indent}    errors[{key}] = [REQUIRED]",
            f"{indent}else:",
            f"{indent}    values[{key}] = value",
        ]

    def outcome(indent: str, key: str, required: bool) -> list[str]:
        return [
            f"{indent}if found[0]:",
            f"{indent}    value = found[1]",
            *store(indent + "    ", key, required),
            f"{indent}else:",
            f"{indent}    errors = errors or {{}}",
            f"{indent}    errors[{key}] = list(found[1])",
        ]

    for number, column in enumerate(kind.columns):
        key = repr(column.key)
        position = index.get(column.key)
        if position is None:
            lines.append("    cell = None")
        else:
            lines.append(f"    cell = cells[{position}] if {position} < size else None")
        shortcut = {text: "unescape(cell.strip())", code_text: "cell.strip().upper()"}.get(column.to_python)
        memo: dict[Any, tuple[bool, Any]] = {}
        namespace[f"outcome{number}"] = _memoised(column.to_python, memo)
        namespace[f"memo{number}"] = memo
        if shortcut:
            lines += [
                "    if type(cell) is str:",
                f"        value = {shortcut}",
                *store("        ", key, column.required),
                "    else:",
                f"        found = outcome{number}(cell)",
                *outcome("        ", key, column.required),
            ]
        else:
            # A text cell seen before: the remembered outcome without a call.
            lines += [
                f"    found = memo{number}.get(cell) if type(cell) is str else None",
                "    if found is None:",
                f"        found = outcome{number}(cell)",
                *outcome("    ", key, column.required),
            ]
    lines.append("    return values, errors")
    exec(compile("\n".join(lines), f"<row parser for {kind.name}>", "exec"), namespace)  # noqa: S102
    return namespace

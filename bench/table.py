"""The table of results: markdown for people, JSON for tools."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

COLUMNS = [
    *("figure", "what", "value", "unit", "reference", "ratio", "target", "passed", "database", "cores"),
    "note",
]


def _cell(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "pass" if value else "FAIL"
    if isinstance(value, float) and value.is_integer() and abs(value) >= 1000:
        return f"{int(value):,}"
    if isinstance(value, int) and abs(value) >= 1000:
        return f"{value:,}"
    return str(value).replace("|", "/")


def markdown(rows: list[dict[str, Any]]) -> str:
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for row in rows:
        lines.append("| " + " | ".join(_cell(row.get(col)) for col in COLUMNS) + " |")
    return "\n".join(lines) + "\n"


def write(rows: list[dict[str, Any]], out_dir: Path, meta: dict[str, Any]) -> tuple[Path, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    md_path, json_path = out_dir / "results.md", out_dir / "results.json"
    header = (
        f"Scale {meta['scale']} (seed {meta['seed']}), {meta['cores']} cores. "
        "Ratio = our speed / the bare reference's speed in the same run (higher is better).\n\n"
    )
    md_path.write_text(header + markdown(rows), encoding="utf-8")
    json_path.write_text(
        json.dumps({"meta": meta, "rows": rows}, indent=2, ensure_ascii=False), encoding="utf-8"
    )
    return md_path, json_path

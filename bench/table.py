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


def _num(value: Any, digits: int = 1) -> str:
    if value is None or value != value:  # noqa: PLR0124 - NaN
        return "—"
    return f"{value:,.{digits}f}"


def side_by_side(rows: list[dict[str, Any]]) -> str:
    """The mixed workload per kind of request, one column group per database (its first variant)."""
    found = [(row["database"], row["data"]) for row in rows if row.get("data", {}).get("sides")]
    if not found:
        return ""
    per_db = {db: data["sides"][data["main"]] for db, data in found}
    bare = {db: data["sides"].get("bare", {}).get("(all)", {}) for db, data in found}
    labels = {db: data["main"] for db, data in found}
    dbs = list(per_db)
    kinds: list[str] = []
    for stats in per_db.values():
        kinds.extend(k for k in stats if k not in kinds)
    kinds.sort(key=lambda k: (k == "(all)", stats_write(per_db, k), k))
    head = "| kind | " + " | ".join(f"{db}: count | req/s | p50 | p95 | p99 ms | errors" for db in dbs) + " |"
    lines = [
        "Mixed workload per kind of request, " + ", ".join(f"{db} ({labels[db]})" for db in dbs) + ":\n",
        head,
        "|---|" + "---|---|---|---|---|---|" * len(dbs),
    ]
    for kind in [*kinds, "bare view"]:
        cells = []
        for db in dbs:
            s = bare[db] if kind == "bare view" else per_db[db].get(kind)
            if not s:
                cells.append(" | ".join(["—"] * 6))
                continue
            cells.append(
                f"{s['count']:,} | {_num(s['per_second'])} | {_num(s['p50'])} | {_num(s['p95'])} | "
                f"{_num(s['p99'])} | {s['errors']}"
            )
        lines.append(f"| {kind} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def stats_write(per_db: dict[str, dict[str, Any]], kind: str) -> bool:
    return any(stats.get(kind, {}).get("write") for stats in per_db.values())


def details(rows: list[dict[str, Any]]) -> str:
    """The side-by-side table and every figure's own detail, after the table."""
    parts = [side_by_side(rows)]
    parts.extend(row["detail"] for row in rows if row.get("detail"))
    return "\n".join(part for part in parts if part)


def write(rows: list[dict[str, Any]], out_dir: Path, meta: dict[str, Any]) -> tuple[Path, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    md_path, json_path = out_dir / "results.md", out_dir / "results.json"
    header = (
        f"Scale {meta['scale']} (seed {meta['seed']}), {meta['cores']} cores. "
        "Ratio = our speed / the bare reference's speed in the same run (higher is better).\n\n"
    )
    extra = details(rows)
    md_path.write_text(header + markdown(rows) + ("\n" + extra if extra else ""), encoding="utf-8")
    json_path.write_text(
        json.dumps({"meta": meta, "rows": rows}, indent=2, ensure_ascii=False), encoding="utf-8"
    )
    return md_path, json_path

"""Numbers from the mixed workload's records: per kind of request and per slot (a server variant, or
the bare reference), and the joining of the client's records with the servers' traces."""

from __future__ import annotations

import csv
import json
import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench.mix_client import FIELDS

READ_P99_MS = 100.0
WRITE_P99_MS = 200.0


@dataclass
class Record:
    slot: str
    mode: str
    round: int
    kind: str
    status: int
    ok: bool
    err: str
    t: float
    ms: float
    bytes: int
    rid: str
    conn: int
    created: str
    user: int = -1


def read_records(path: Path) -> list[Record]:
    if not path.exists():
        return []
    records = []
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.reader(handle):
            if len(row) != len(FIELDS):
                continue
            records.append(
                Record(
                    slot=row[0],
                    mode=row[1],
                    round=int(row[2]),
                    kind=row[3],
                    status=int(row[4]),
                    ok=row[5] == "1",
                    err=row[6],
                    t=float(row[7]),
                    ms=float(row[8]),
                    bytes=int(row[9]),
                    rid=row[10],
                    conn=int(row[11]),
                    created=row[12],
                    user=int(row[13]),
                )
            )
    return records


def percentile(ordered: list[float], q: float) -> float:
    """Nearest rank on an ordered list (the value below which a fraction q of them lie)."""
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


def is_write(kind: str) -> bool:
    return kind.startswith(("report", "api report", "act ", "edit "))


@dataclass
class KindStats:
    kind: str
    count: int
    per_second: float
    p50: float
    p95: float
    p99: float
    errors: int
    error_kinds: dict[str, int] = field(default_factory=dict)

    @property
    def write(self) -> bool:
        return is_write(self.kind)

    @property
    def limit_ms(self) -> float:
        return WRITE_P99_MS if self.write else READ_P99_MS

    @property
    def passed(self) -> bool:
        return self.errors == 0 and self.p99 < self.limit_ms

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "write": self.write}


def kind_stats(kind: str, records: list[Record], seconds: float) -> KindStats:
    ordered = sorted(r.ms for r in records)
    errors = Counter(r.err or f"status {r.status}" for r in records if not r.ok)
    return KindStats(
        kind=kind,
        count=len(records),
        per_second=len(records) / seconds if seconds else 0.0,
        p50=percentile(ordered, 0.50),
        p95=percentile(ordered, 0.95),
        p99=percentile(ordered, 0.99),
        errors=sum(errors.values()),
        error_kinds=dict(errors.most_common(3)),
    )


def by_kind(records: Iterable[Record], seconds: float) -> dict[str, KindStats]:
    """Stats per kind, reads first then writes, each by name; '(all)' for the whole lot."""
    grouped: dict[str, list[Record]] = defaultdict(list)
    every: list[Record] = []
    for record in records:
        grouped[record.kind].append(record)
        every.append(record)
    order = sorted(grouped, key=lambda k: (is_write(k), k))
    result = {kind: kind_stats(kind, grouped[kind], seconds) for kind in order}
    result["(all)"] = kind_stats("(all)", every, seconds)
    return result


def ms(value: float) -> str:
    return "—" if value != value else f"{value:.1f}"  # noqa: PLR0124 - NaN check


def kinds_table(stats: dict[str, KindStats], title: str) -> str:
    lines = [
        f"{title}\n",
        "| kind | count | req/s | p50 ms | p95 ms | p99 ms | errors | target |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for kind, s in stats.items():
        target = "" if kind == "(all)" else f"p99 < {s.limit_ms:g}"
        errors = str(s.errors) + (
            f" ({'; '.join(f'{k}: {n}' for k, n in s.error_kinds.items())})" if s.errors else ""
        )
        lines.append(
            f"| {kind} | {s.count:,} | {s.per_second:.1f} | {ms(s.p50)} | {ms(s.p95)} | {ms(s.p99)} | "
            f"{errors} | {target} |"
        )
    return "\n".join(lines) + "\n"


# --- server traces -------------------------------------------------------------------------------


def read_jsonl(paths: Iterable[Path]) -> list[dict[str, Any]]:
    found = []
    for path in paths:
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                line = line.strip()
                if line:
                    try:
                        found.append(json.loads(line))
                    except ValueError:
                        continue
    return found


def read_traces(folder: Path) -> tuple[dict[str, dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """(server records by request id, the workers' GC pauses, the checkpointer's checkpoints)."""
    if not folder.exists():
        return {}, [], []
    requests = {r["id"]: r for r in read_jsonl(sorted(folder.glob("requests-*.jsonl"))) if r.get("id")}
    pauses = []
    for path in sorted(folder.glob("gc-*.jsonl")):
        pid = int(path.stem.split("-", 1)[1])
        pauses.extend({**pause, "pid": pid} for pause in read_jsonl([path]))
    checkpoints = read_jsonl(sorted(folder.glob("checkpoints.jsonl")))
    return requests, pauses, checkpoints

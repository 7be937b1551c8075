"""What a figure gets (the run's context) and gives back (rows of the table), and how it times things."""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class Row:
    """One line of the table. `ratio` is our speed over the bare reference's (higher is better)."""

    figure: str
    what: str
    value: float
    unit: str
    reference: float | None
    ratio: float | None
    target: str
    passed: bool
    database: str = ""
    cores: int = field(default_factory=lambda: os.cpu_count() or 1)
    note: str = ""
    # Printed after the table (markdown), and kept in the JSON for tools (e.g. the side-by-side table).
    detail: str = ""
    data: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Context:
    scale: float
    seed: int = 1
    points: int = 1_000_000
    repeat: int = 200
    database: str = "sqlite"
    with_server: bool = True
    say: Callable[[str], None] = print
    built: dict[str, Any] = field(default_factory=dict)  # what the district build made
    mix_seconds: float = 60.0  # of the mixed workload, per server variant (figure 7)
    work_dir: Path = field(default_factory=lambda: Path(tempfile.gettempdir()) / "gridwork-bench")
    reuse: bool = False  # keep a district of this scale that an earlier run built


def median_seconds_alternating(calls: list[Callable[[], Any]], repeat: int, warmup: int = 3) -> list[float]:
    """The median time of each call, the calls taking turns (each round in a rotated order): a
    machine that gets slower or faster during the run affects them all alike, so their ratio holds."""
    for _ in range(warmup):
        for call in calls:
            call()
    times: list[list[float]] = [[] for _ in calls]
    for round_ in range(repeat):
        for step in range(len(calls)):
            index = (round_ + step) % len(calls)
            started = time.perf_counter()
            calls[index]()
            times[index].append(time.perf_counter() - started)
    return [statistics.median(each) for each in times]


def at_least(ratio: float | None, target: float) -> bool:
    return ratio is not None and ratio >= target

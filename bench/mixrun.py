"""Driving the mixed workload: the client processes, and slices taken in turns over several sides.

A side is one thing measured: the mix against one server variant, or the bare reference. Each
round runs every side for one slice, in an order rotated from round to round, all client
processes at once; a machine that changes speed during the run weighs on every side alike.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.mix import CLIENT_PROCESSES
from bench.server import Server

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


class Clients:
    """The load generator's processes (bench/mix_client.py), each with its share of connections."""

    def __init__(self, plan_path: Path, processes: int = CLIENT_PROCESSES) -> None:
        env = {**os.environ, "PYTHONHASHSEED": "0"}
        self.processes = [
            subprocess.Popen(  # noqa: S603 - our own module
                [sys.executable, "-m", "bench.mix_client", str(plan_path), str(index)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                env=env,
            )
            for index in range(processes)
        ]

    def command(self, command: dict[str, Any]) -> list[dict[str, Any]]:
        line = json.dumps(command) + "\n"
        for process in self.processes:
            assert process.stdin is not None
            process.stdin.write(line)
            process.stdin.flush()
        answers = []
        for process in self.processes:
            assert process.stdout is not None
            answer = process.stdout.readline()
            if not answer:
                raise RuntimeError("a load generator process ended")
            answers.append(json.loads(answer))
        return answers

    def close(self) -> None:
        for process in self.processes:
            try:
                if process.stdin is not None:
                    process.stdin.write(json.dumps({"cmd": "quit"}) + "\n")
                    process.stdin.close()
            except OSError:
                pass
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


def cpu_seconds(pids: list[int]) -> float:
    """User and system time of these processes so far (from /proc)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / CLOCK_TICKS


@dataclass
class Side:
    label: str
    mode: str  # "mix" or "bare"
    server: Server
    slot: str
    extra: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0
    client_cpu: float = 0.0
    server_cpu: float = 0.0
    requests: int = 0
    client_gc: list[dict[str, Any]] = field(default_factory=list)


def run_turns(
    clients: Clients, sides: list[Side], rounds: int, slice_s: float, out: Path, max_per_connection: int
) -> None:
    """`rounds` rounds, each running every side for `slice_s` seconds (the order rotated each round)."""
    for round_ in range(rounds):
        for step in range(len(sides)):
            side = sides[(round_ + step) % len(sides)]
            pids = side.server.worker_pids()
            before = cpu_seconds(pids)
            answers = clients.command(
                {
                    "cmd": "run",
                    "port": side.server.port,
                    "seconds": slice_s,
                    "mode": side.mode,
                    "slot": side.slot,
                    "round": round_,
                    "max": max_per_connection,
                    "out": str(out),
                    **side.extra,
                }
            )
            side.server_cpu += cpu_seconds(pids) - before
            side.seconds += max(a["wall"] for a in answers)
            side.client_cpu += sum(a["cpu"] for a in answers)
            side.requests += sum(a["n"] for a in answers)
            for answer in answers:
                side.client_gc.extend(answer.get("gc", []))

"""Shortcuts for case tests."""

from __future__ import annotations

from typing import Any

from gridwork.cases import services
from gridwork.cases.models import Case, CaseEvent
from gridwork.cases.tests.conftest import POINTS
from gridwork.conftest import GRID_A1

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 40
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 40


def report(d: Any, who: str = "worker_a1", category: str = "E0104", grid: str = GRID_A1, **kw: Any) -> Case:
    lon, lat = POINTS[grid]
    kw.setdefault("source", "patrol")
    kw.setdefault("title", "乱堆物料")
    return services.report_case(d.users[who] if who else None, category=category, lon=lon, lat=lat, **kw)


def do(d: Any, who: str, case: Case, action: str, **kw: Any) -> Case:
    if action in (
        "reject",
        "suspend",
        "return",
        "verify_fail",
        "feedback",
        "update",
        "escalate",
        "deny",
        "reopen",
        "extend",
    ) or (action == "resolve" and case.track == "emergency"):
        kw.setdefault("note", "理由")
    services.act(d.users[who], case.pk, action, **kw)
    return Case.objects.get(pk=case.pk)


def actions(case: Case) -> list[str]:
    return list(CaseEvent.objects.filter(case=case).order_by("at", "id").values_list("action", flat=True))

"""The demo's office work over the year: person imports with their reports, exports and reveals.

All through the services a person would use (gridwork.transfer's imports and exports, the
registry's and the cases' reveals), each at its moment of the last twelve months (time-machine,
as in history.py), so the auditor's log and the import pages have real entries. The imported
people are synthetic like the rest: names from the demo's vocabulary, ID numbers generated with a
correct check character and checked against the register.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from typing import Any

import time_machine
from django.utils import timezone

from gridwork.accounts.models import Role, RoleAssignment, User
from gridwork.cases import services as case_services
from gridwork.cases.models import Case, Source
from gridwork.core.validators import resident_id_check_char
from gridwork.demo import vocab
from gridwork.registry import services as registry_services
from gridwork.registry.models import Person
from gridwork.transfer import exports
from gridwork.transfer import services as transfer_services
from gridwork.transfer.columns import get_kind
from gridwork.transfer.models import ImportJob

LANGUAGE = "zh-hans"
REVEAL_REASONS = (
    "核实低保申请人身份信息",
    "入户走访前核对联系电话",
    "协助派出所核查户籍信息",
    "独居老人紧急联系家属",
    "核对重点人员帮扶台账",
    "办理残疾人补贴需核验证件",
)
CASE_REVEAL_REASONS = ("回访居民需拨打联系电话", "核实反映人身份以便反馈")
EXPORT_REVEAL_REASON = "向民政科报送低保复核名单"


def _user(username: str) -> User | None:
    return User.objects.filter(username=username, is_active=True).first()


def _unique_ids(rng: random.Random, count: int) -> list[tuple[str, str, str]]:
    """(ID number, sex, birth date) of people not in the register yet."""
    found: list[tuple[str, str, str]] = []
    while len(found) < count:
        birth = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(0, 25_000))
        serial = rng.randrange(0, 1000)
        first17 = f"110112{birth:%Y%m%d}{serial:03d}"
        number = first17 + resident_id_check_char(first17)
        if number in {f[0] for f in found} or Person.objects.filter(id_number=number).exists():
            continue
        found.append((number, "M" if serial % 2 else "F", birth.isoformat()))
    return found


def _people_rows(rng: random.Random, grid: str, households: int, tag: str) -> list[dict[str, str]]:
    rows = []
    for h in range(households):
        size = rng.choice((1, 2, 3, 3, 4))
        surname = vocab.SURNAMES(rng)
        for m, (number, sex, birth) in enumerate(_unique_ids(rng, size)):
            rows.append(
                {
                    "grid": grid,
                    "household_number": f"DR{tag}{h + 1:03d}",
                    "relation": "head" if m == 0 else rng.choice(("spouse", "child", "parent")),
                    "name": vocab.person_name(rng, sex, surname if m != 1 else None),
                    "id_number": number,
                    "sex": sex,
                    "birth_date": birth,
                    "phone": vocab.mobile(rng),
                }
            )
    return rows


def _csv(rows: list[dict[str, str]]) -> bytes:
    spec = get_kind("persons")
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(spec.headers(LANGUAGE))
    writer.writerow(spec.notes(LANGUAGE))
    for row in rows:
        writer.writerow([row.get(column.key, "") for column in spec.columns])
    return buffer.getvalue().encode("utf-8")


def _import(actor: User, rows: list[dict[str, str]], name: str, mode: str) -> ImportJob:
    job = transfer_services.start_import(
        actor, "persons", io.BytesIO(_csv(rows)), name, mode, LANGUAGE, enqueue=False
    )
    return transfer_services.run_import(job.pk)


def make_imports(rng: random.Random, now: dt.datetime) -> list[ImportJob]:
    """The community's imports: one clean, one with errors (checked, its report read), then fixed."""
    centre = (
        RoleAssignment.objects.filter(user__username="demo_centre", role=Role.ACCEPTANCE_CENTRE)
        .select_related("user")
        .first()
    )
    if centre is None:
        return []
    grid = (
        Person.objects.filter(grid__code__startswith=centre.area_id).values_list("grid_id", flat=True).first()
    )
    if grid is None:
        return []
    jobs = []
    with time_machine.travel(now - dt.timedelta(days=150, hours=3), tick=False):
        jobs.append(
            _import(centre.user, _people_rows(rng, grid, 3, "A"), "新迁入住户登记.csv", "all_or_nothing")
        )
    fixed = _people_rows(rng, grid, 3, "B")
    broken = [dict(row) for row in fixed]
    broken[1]["id_number"] = broken[1]["id_number"][:-1] + ("0" if broken[1]["id_number"][-1] != "0" else "1")
    broken[-1]["grid"] = grid[:12] + "999"  # a grid that does not exist
    broken[0]["relation"] = "户主"  # not one of the values the template lists
    with time_machine.travel(now - dt.timedelta(days=21, hours=5), tick=False):
        jobs.append(_import(centre.user, broken, "流动人口登记（第二批）.csv", "check"))
    with time_machine.travel(now - dt.timedelta(days=21, hours=3), tick=False):
        jobs.append(_import(centre.user, fixed, "流动人口登记（第二批）修正.csv", "all_or_nothing"))
    return jobs


def make_reveals_and_exports(rng: random.Random, now: dt.datetime) -> int:
    """Reveals of people and case texts, with reasons, and a few exports; how many entries were made."""
    made = 0
    actors = [
        u for u in (_user("demo_gw1"), _user("demo_gw2"), _user("demo_centre"), _user("demo_street")) if u
    ]
    for n in range(12):
        actor = actors[n % len(actors)]
        person = Person.objects.visible_to(actor).order_by("pk")[rng.randrange(0, 200) :].first()
        if person is None:
            continue
        with time_machine.travel(now - dt.timedelta(days=rng.uniform(0.1, 330)), tick=False):
            registry_services.reveal_person(actor, person.pk, rng.choice(REVEAL_REASONS))
        made += 1
    for actor in actors[:2]:
        case = Case.objects.visible_to(actor).filter(source=Source.RESIDENT).order_by("-created_at").first()
        if case is None:
            continue
        with time_machine.travel(max(case.updated_at, now - dt.timedelta(hours=6)), tick=False):
            case_services.reveal_case(actor, case.pk, rng.choice(CASE_REVEAL_REASONS))
        made += 1
    made += _exports(now)
    return made


def _exports(now: dt.datetime) -> int:
    made = 0
    worker, centre = _user("demo_gw1"), _user("demo_centre")
    grid = _area_of(worker, Role.GRID_WORKER)
    community = _area_of(centre, Role.ACCEPTANCE_CENTRE)
    plan: list[tuple[Any, str, str, str, str, dt.timedelta]] = []
    if grid:
        plan.append((worker, "persons", grid, "xlsx", "", dt.timedelta(days=95)))
    if community:
        plan.append((centre, "households", community, "csv", "", dt.timedelta(days=40)))
        plan.append(
            (centre, "persons", community, "xlsx", EXPORT_REVEAL_REASON, dt.timedelta(days=3, hours=2))
        )
    for actor, kind, area, fmt, reason, ago in plan:
        with time_machine.travel(now - ago, tick=False):
            # Checked and audited as a download is; the file itself is streamed only to a browser.
            exports.start_export(actor, kind, area, fmt, reveal_reason=reason)
        made += 2 if reason else 1
    return made


def _area_of(user: User | None, role: str) -> str:
    if user is None:
        return ""
    return RoleAssignment.objects.filter(user=user, role=role).values_list("area_id", flat=True).first() or ""


def build_office_work(seed: int, now: dt.datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    rng = random.Random(f"{seed}-office")
    jobs = make_imports(rng, now)
    entries = make_reveals_and_exports(rng, now)
    return {
        "imports": len(jobs),
        "import_errors": sum(j.errors_count for j in jobs),
        "reveals_exports": entries,
    }

"""The demo's year of reports and meetings, made through field work's services at their moments.

For every demo grid with a worker: a weekly report for each of the last 52 weeks (most submitted
on Monday morning and accepted; some late, some returned and resubmitted, a few never in and so
recorded missing; the recent weeks' parts forwarded to their counterparts), a grid meeting each
month with its attendees and decisions (some became cases, some tasks, most of them done), a few
problems raised to the community and answered, and the work log of the last weeks' working days.
Each call runs at its moment (time-machine), like the case year of history.py.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from gridwork.accounts.models import Role, RoleAssignment
from gridwork.cases import calendar
from gridwork.cases import services as case_services
from gridwork.core.errors import Conflict, NotFound
from gridwork.demo.history import load_cast
from gridwork.fieldwork import reports_meetings as meetings
from gridwork.fieldwork import reports_services as reports
from gridwork.fieldwork import reports_worklog as worklog
from gridwork.fieldwork.reports_models import BusinessLine

WEEKS = 52
FORWARD_WEEKS = 8  # the parts of the last weeks' accepted reports go on to the counterparts
LOG_DAYS = 28  # the work log of the last four weeks' working days
SERVICE_ERRORS = (ValidationError, PermissionDenied, Conflict, NotFound)  # a case's refusal is a Conflict too

LINE_TEXTS = {
    "family_planning": ("入户核对育龄妇女信息两户", "宣传生育支持政策", "更新流动人口婚育证明台账"),
    "subsistence": ("走访低保户三户，核对家庭收入", "协助一户办理临时救助申请", "低保年审材料收齐"),
    "civil_affairs": ("探望独居老人四位", "协助残疾人补贴申请", "为高龄老人办理津贴"),
    "civilisation": ("清理楼道堆物两处", "组织志愿者清扫小区", "劝导店外经营三家"),
    "work_safety": ("检查沿街商铺消防器材", "排查电动车违规充电", "燃气安全入户宣传"),
    "stability": ("调解邻里纠纷一起", "走访重点人员，情况稳定", "出租房屋登记核查"),
}
SUMMARIES = ("本周网格总体平稳。", "本周按计划完成巡查走访。", "本周事件均已处置或转办。")
RETURN_NOTES = ("请补充低保走访的具体户数", "安全生产部分写得太简单，请补充", "请写明纠纷调解结果")
MEETING_TITLES = ("网格例会", "网格月度工作会", "网格议事会")
DECISIONS = (
    ("note", "", "下月重点做好独居老人走访"),
    ("note", "", "继续做好垃圾分类宣传"),
    # Routine categories: the grid worker handles them on the spot and closes them within days.
    ("case", "E0101", "清理3号楼旁暴露垃圾"),
    ("case", "S0303", "整治楼下电动车飞线充电"),
    ("task", "", "统计本网格高龄老人名单"),
    ("task", "", "更新出租房屋台账"),
)
PROBLEMS = (
    ("小区路灯长期不亮", "已报市政管理所，本周内修复"),
    ("老旧小区缺少充电桩", "已列入街道明年民生实事"),
    ("楼道堆物反复出现", "联合物业开展专项清理"),
    ("垃圾清运不及时", "已协调环卫所增加清运频次"),
)
VOLUNTEERS = ("李阿姨", "王大爷", "赵师傅", "陈老师")
LOG_LINES = ("巡查网格，正常", "走访独居老人", "整理民情台账", "协助社区开展活动", "核对出租房屋信息")


class _Year:
    def __init__(self, rng: random.Random, now: dt.datetime) -> None:
        self.rng, self.now = rng, now
        self.cast = load_cast()
        self.members = {
            a.area_id: a.user
            for a in RoleAssignment.objects.filter(
                role=Role.GRID_MEMBER, user__username__startswith="demo_", user__is_active=True
            ).select_related("user")
        }
        self.lines = list(BusinessLine.objects.filter(active=True).values_list("code", flat=True))
        self.counts = {
            "weekly_reports": 0,
            "meetings": 0,
            "decisions": 0,
            "decision_cases": 0,
            "problems": 0,
            "log_lines": 0,
        }
        self.failed = 0

    def call(self, moment: dt.datetime, service: Any, *args: Any, **kwargs: Any) -> Any:
        """One service call at its moment; a refusal is counted, never fatal."""
        if moment > self.now:
            return None
        with time_machine.travel(moment, tick=False):
            try:
                return service(*args, **kwargs)
            except SERVICE_ERRORS:
                self.failed += 1
                return None

    def at(self, day: dt.date, hour: float) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(day, dt.time())) + dt.timedelta(hours=hour)

    def week(self, grid: str, worker: Any, reviewer: Any, monday: dt.date, recent: bool) -> None:
        rng, sunday, due = self.rng, monday + dt.timedelta(days=6), monday + dt.timedelta(days=7)
        fate = rng.choices(("on_time", "late", "returned", "missing"), weights=(78, 9, 9, 4))[0]
        if fate == "missing":
            return
        opened = self.at(
            sunday if rng.random() < 0.5 else due, rng.uniform(8, 20) if rng.random() < 0.5 else 8.5
        )
        report = self.call(opened, reports.open_report, worker, grid, monday)
        if report is None:
            return
        texts = {
            code: rng.choice(LINE_TEXTS[code])
            for code in self.lines
            if code in LINE_TEXTS and rng.random() < 0.7
        }
        self.call(opened, reports.save_texts, worker, report.pk, texts=texts, summary=rng.choice(SUMMARIES))
        submit = self.at(due, rng.uniform(8.6, 11.9)) if fate != "late" else self.at(due, rng.uniform(13, 50))
        if self.call(submit, reports.submit_report, worker, report.pk) is None:
            return
        self.counts["weekly_reports"] += 1
        review = submit + dt.timedelta(hours=rng.uniform(1, 20))
        if fate == "returned":
            self.call(review, reports.return_report, reviewer, report.pk, note=rng.choice(RETURN_NOTES))
            again = review + dt.timedelta(hours=rng.uniform(2, 20))
            more = {code: text + "；已补充" for code, text in texts.items()}
            self.call(again, reports.save_texts, worker, report.pk, texts=more)
            self.call(again, reports.submit_report, worker, report.pk)
            review = again + dt.timedelta(hours=rng.uniform(1, 10))
        if rng.random() < 0.97:  # a few wait for review still
            self.call(review, reports.accept_report, reviewer, report.pk)
            if recent:
                onward = review + dt.timedelta(minutes=rng.uniform(5, 90))
                self.call(onward, reports.forward_report, reviewer, report.pk)

    def month(self, grid: str, worker: Any, reviewer: Any, day: dt.date) -> None:
        rng = self.rng
        moment = self.at(day, rng.uniform(14, 17))
        attendees: list[dict[str, Any]] = [{"user": worker.pk, "team_role": "worker"}]
        member = self.members.get(grid)
        if member is not None:
            attendees.append({"user": member.pk, "team_role": "info_officer"})
        attendees += [
            {"name": "张警官", "team_role": "police"},
            {"name": "刘书记", "team_role": "party_member"},
        ]
        attendees += [{"name": name, "team_role": "volunteer"} for name in rng.sample(VOLUNTEERS, 2)]
        title = f"{day.month}月{rng.choice(MEETING_TITLES)}"
        meeting = self.call(
            moment,
            meetings.record_meeting,
            worker,
            grid,
            held_on=day,
            title=title,
            minutes="通报上月工作，研究本月重点。",
            attendees=attendees,
        )
        if meeting is None:
            return
        self.counts["meetings"] += 1
        for outcome, category, text in rng.sample(DECISIONS, rng.randint(1, 3)):
            owner = (member or worker).pk if rng.random() < 0.5 else worker.pk
            due = day + dt.timedelta(days=rng.randint(7, 21))
            decision = self.call(
                moment + dt.timedelta(minutes=30),
                meetings.add_decision,
                worker,
                meeting.pk,
                text=text,
                outcome=outcome,
                category=category,
                owner=owner,
                due_on=due,
            )
            if decision is None:
                continue
            self.counts["decisions"] += 1
            self.counts["decision_cases"] += 1 if decision.case_id else 0
            if decision.case_id and rng.random() < 0.9:
                solved = self.at(day + dt.timedelta(days=rng.randint(1, 5)), rng.uniform(9, 17))
                self.call(
                    solved, case_services.act, worker, decision.case_id, "resolve", note="已按例会决定处置"
                )
            if decision.task_id and rng.random() < 0.85:
                done = self.at(day + dt.timedelta(days=rng.randint(2, 14)), rng.uniform(9, 17))
                owner_user = member if member is not None and owner == member.pk else worker
                self.call(done, meetings.complete_task, owner_user, decision.task_id, note="已完成")
        if rng.random() < 0.4:
            subject, answer = rng.choice(PROBLEMS)
            problem = self.call(
                moment + dt.timedelta(hours=1),
                meetings.raise_problem,
                worker,
                grid,
                subject=subject,
                meeting_id=meeting.pk,
            )
            if problem is None:
                return
            self.counts["problems"] += 1
            if rng.random() < 0.8:
                answered = moment + dt.timedelta(days=rng.uniform(1, 6))
                self.call(answered, meetings.answer_problem, reviewer, problem.pk, answer=answer)
                if rng.random() < 0.7:
                    self.call(answered + dt.timedelta(days=1), meetings.close_problem, worker, problem.pk)

    def log_days(self, grid: str, worker: Any) -> None:
        today = timezone.localdate(self.now)
        for back in range(LOG_DAYS, 0, -1):
            day = today - dt.timedelta(days=back)
            if not calendar.is_workday(day):
                continue
            for text in self.rng.sample(LOG_LINES, self.rng.randint(1, 2)):
                moment = self.at(day, self.rng.uniform(9, 17.5))
                if self.call(moment, worklog.add_line, worker, day, text, grid_code=grid) is not None:
                    self.counts["log_lines"] += 1


def build_fieldwork_reports(seed: int, now: dt.datetime | None = None) -> dict[str, int]:
    """The year of weekly reports, meetings, problems raised and recent work logs of every demo grid."""
    now = now or timezone.now()
    year = _Year(random.Random(f"{seed}-fieldwork-reports"), now)
    last_week = reports.week_of(timezone.localdate(now)) - dt.timedelta(days=7)
    mondays = [last_week - dt.timedelta(days=7 * n) for n in range(WEEKS - 1, -1, -1)]
    with calendar.one_read():
        for grid, worker in sorted(year.cast.workers.items()):
            reviewer = year.cast.lowest_above(grid)
            if reviewer is None:
                continue
            for n, monday in enumerate(mondays):
                year.week(grid, worker, reviewer, monday, recent=n >= WEEKS - FORWARD_WEEKS)
                if monday.day <= 7:  # the first week of a month: its meeting on the Thursday
                    year.month(grid, worker, reviewer, monday + dt.timedelta(days=3))
            year.log_days(grid, worker)
    for monday in mondays:  # the deadline job, as it would have run each Monday afternoon
        year.call(reports.deadline_of(monday) + dt.timedelta(hours=1), reports.record_missing, monday)
    return {**year.counts, "fieldwork_refused": year.failed}

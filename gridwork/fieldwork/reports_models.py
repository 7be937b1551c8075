"""Field work, part "reports": business lines, work logs, weekly reports, meetings, tasks and the
problem-feedback register.

Only gridwork.fieldwork.reports_services writes these. Every record hangs on a grid (its code), so
`visible_to(user)` is the prefix filter of accounts.scoping like the register and the cases.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gridwork.accounts.access import FIELDWORK_REPORTS_VIEW
from gridwork.accounts.scoping import ScopedQuerySet
from gridwork.core.language import pick
from gridwork.core.models import AppendOnlyModel
from gridwork.core.sealed_text import SealedCharField, SealedTextField
from gridwork.registry.models import grid_field


class ReportsQuerySet(ScopedQuerySet):
    scope_field = "grid__code"
    scope_capability = FIELDWORK_REPORTS_VIEW


class BusinessLine(models.Model):
    """A line of work the weekly report is grouped by, and who receives its part (data, not code)."""

    class CounterpartRole(models.TextChoices):
        NONE = "", _("none")
        STREET_STAFF = "street_staff", _("street / town staff")
        DISTRICT_STAFF = "district_staff", _("district staff")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    # The counterpart: a department (its handlers above the grid), else the office staff of a role
    # at the grid's street or district, else one named user.
    counterpart_department = models.CharField(_("counterpart department"), max_length=100, blank=True)
    counterpart_role = models.CharField(
        _("counterpart role"), max_length=20, choices=CounterpartRole.choices, blank=True
    )
    counterpart_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("counterpart user"),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("business line")
        verbose_name_plural = _("business lines")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return pick(self.name_zh, self.name_en)


class CategoryLine(models.Model):
    """Case categories whose code starts with `prefix` count under a business line (longest prefix wins)."""

    prefix = models.CharField(_("category code prefix"), max_length=20, unique=True)
    line = models.ForeignKey(BusinessLine, on_delete=models.CASCADE, related_name="categories")

    class Meta:
        ordering = ["prefix"]
        verbose_name = _("category of a business line")
        verbose_name_plural = _("categories of business lines")

    def __str__(self) -> str:
        return f"{self.prefix} → {self.line.code}"


class WorkLog(models.Model):
    """One worker's day in one grid. The counts come from the day's records when it is read; the
    worker's own lines are kept here."""

    grid = grid_field()
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    day = models.DateField(_("day"))
    created_at = models.DateTimeField(_("created at"))

    objects = ReportsQuerySet.as_manager()

    class Meta:
        ordering = ["-day", "grid"]
        constraints = [models.UniqueConstraint(fields=["worker", "grid", "day"], name="fw_one_log_per_day")]
        indexes = [models.Index(fields=["grid", "day"])]
        verbose_name = _("work log")
        verbose_name_plural = _("work logs")

    def __str__(self) -> str:
        return f"{self.grid_id} {self.day}"


class WorkLogLine(models.Model):
    log = models.ForeignKey(WorkLog, on_delete=models.CASCADE, related_name="lines")
    text = SealedCharField(_("text"), max_length=500)
    line = models.ForeignKey(
        BusinessLine,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("business line"),
    )
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted, awaiting review")
    RETURNED = "returned", _("returned for changes")
    ACCEPTED = "accepted", _("accepted")


class WeeklyReport(models.Model):
    """A grid's report of one week (Monday to Sunday, in the district's time zone)."""

    grid = grid_field()
    week_start = models.DateField(_("week starting"))
    status = models.CharField(
        _("status"), max_length=12, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    deadline = models.DateTimeField(_("deadline"))
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    # Set once, at the first submission after the deadline: a resubmission after a return is not late.
    late = models.BooleanField(_("late"), default=False)
    summary = SealedTextField(_("summary"), blank=True)
    # The figures of the whole grid (meetings, tasks...), frozen at submission like each line's.
    figures = models.JSONField(_("figures"), default=dict)
    review_note = models.CharField(_("review note"), max_length=1000, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"))
    version = models.PositiveIntegerField(default=1)

    objects = ReportsQuerySet.as_manager()

    class Meta:
        ordering = ["-week_start", "grid"]
        constraints = [models.UniqueConstraint(fields=["grid", "week_start"], name="fw_one_report_per_week")]
        indexes = [models.Index(fields=["week_start", "status"])]
        verbose_name = _("weekly report")
        verbose_name_plural = _("weekly reports")

    def __str__(self) -> str:
        return f"{self.grid_id} {self.week_start}"


class WeeklyReportLine(models.Model):
    """A business line's part of a report: the figures as assembled (frozen at submission) and the text."""

    report = models.ForeignKey(WeeklyReport, on_delete=models.CASCADE, related_name="lines")
    line = models.ForeignKey(BusinessLine, on_delete=models.PROTECT, related_name="+")
    figures = models.JSONField(_("figures"), default=dict)
    text = SealedTextField(_("text"), blank=True)
    forwarded_at = models.DateTimeField(_("forwarded at"), null=True, blank=True)
    forwarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["line__order", "line__code"]
        constraints = [models.UniqueConstraint(fields=["report", "line"], name="fw_one_part_per_line")]
        indexes = [models.Index(fields=["line", "forwarded_at"])]

    def __str__(self) -> str:
        return f"{self.report_id} {self.line_id}"


class ReportEvent(AppendOnlyModel):
    """The history of a weekly report: every step, who, when, with the note."""

    class Action(models.TextChoices):
        CREATE = "create", _("started")
        EDIT = "edit", _("edited")
        SUBMIT = "submit", _("submitted")
        RETURN = "return", _("returned")
        ACCEPT = "accept", _("accepted")
        FORWARD = "forward", _("forwarded")

    report = models.ForeignKey(WeeklyReport, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("at"))
    note = SealedCharField(_("note"), max_length=1000, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]


class LapseKind(models.TextChoices):
    MISSING = "missing", _("missing at the deadline")
    LATE = "late", _("submitted late")


class ReportLapse(models.Model):
    """A weekly report not in by its deadline: recorded when the deadline passes (missing) and when
    it comes in after it (late)."""

    grid = grid_field()
    week_start = models.DateField(_("week starting"))
    kind = models.CharField(_("kind"), max_length=8, choices=LapseKind.choices)
    recorded_at = models.DateTimeField(_("recorded at"))
    report = models.ForeignKey(
        WeeklyReport, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ReportsQuerySet.as_manager()

    class Meta:
        ordering = ["-week_start", "grid"]
        constraints = [
            models.UniqueConstraint(fields=["grid", "week_start", "kind"], name="fw_one_lapse_per_kind")
        ]
        verbose_name = _("late or missing report")
        verbose_name_plural = _("late or missing reports")

    def __str__(self) -> str:
        return f"{self.grid_id} {self.week_start} {self.kind}"


class TeamRole(models.TextChoices):
    WORKER = "worker", _("grid worker")
    INFO_OFFICER = "info_officer", _("information officer")
    PARTY_MEMBER = "party_member", _("party member")
    POLICE = "police", _("community police")
    VOLUNTEER = "volunteer", _("volunteer")
    OTHER = "other", _("other")


class Meeting(models.Model):
    grid = grid_field()
    held_on = models.DateField(_("date"))
    title = SealedCharField(_("title"), max_length=200)
    minutes = SealedTextField(_("minutes"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"))

    objects = ReportsQuerySet.as_manager()

    class Meta:
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["grid", "held_on"])]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")

    def __str__(self) -> str:
        return self.title


class MeetingAttendee(models.Model):
    """Someone at a meeting: a user of the system, or a name (a volunteer without an account)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendees")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = models.CharField(_("name"), max_length=50, blank=True)
    team_role = models.CharField(_("team role"), max_length=14, choices=TeamRole.choices)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class Task(models.Model):
    """Something a meeting decided that is not a case: an owner and a due date."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        DONE = "done", _("done")

    grid = grid_field()
    title = SealedCharField(_("title"), max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("owner")
    )
    due_on = models.DateField(_("due"))
    status = models.CharField(_("status"), max_length=6, choices=Status.choices, default=Status.OPEN)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_note = SealedCharField(_("note"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"))

    objects = ReportsQuerySet.as_manager()

    class Meta:
        ordering = ["status", "due_on", "id"]
        indexes = [models.Index(fields=["owner", "status", "due_on"])]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")

    def __str__(self) -> str:
        return self.title


class Decision(models.Model):
    class Outcome(models.TextChoices):
        NOTE = "note", _("noted")
        CASE = "case", _("became a case")
        TASK = "task", _("became a task")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    text = SealedCharField(_("decision"), max_length=500)
    outcome = models.CharField(_("outcome"), max_length=4, choices=Outcome.choices, default=Outcome.NOTE)
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    task = models.OneToOneField(
        Task, null=True, blank=True, on_delete=models.SET_NULL, related_name="decision"
    )
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.text


class Feedback(models.Model):
    """The problem-feedback register: what a grid raised to the community and what came back."""

    class Status(models.TextChoices):
        RAISED = "raised", _("raised, awaiting an answer")
        ANSWERED = "answered", _("answered")
        CLOSED = "closed", _("closed")

    grid = grid_field()
    subject = SealedCharField(_("subject"), max_length=200)
    detail = SealedTextField(_("detail"), blank=True)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField(_("raised at"))
    status = models.CharField(_("status"), max_length=9, choices=Status.choices, default=Status.RAISED)
    answer = SealedTextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    meeting = models.ForeignKey(Meeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    objects = ReportsQuerySet.as_manager()

    class Meta:
        ordering = ["-raised_at", "-id"]
        indexes = [models.Index(fields=["grid", "status"])]
        verbose_name = _("raised problem")
        verbose_name_plural = _("problem-feedback register")

    def __str__(self) -> str:
        return self.subject

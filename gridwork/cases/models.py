"""Cases: categories, the work calendar, cases, their timeline and photos.

Only gridwork.cases.services writes these (see INTERFACE.md). A case carries the code of its grid,
so `Case.objects.visible_to(user)` is a prefix filter like every other scoped record.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gridwork.accounts.access import CASES_VIEW, department_scopes, scope_codes
from gridwork.accounts.scoping import ScopedQuerySet
from gridwork.core.encrypted_fields import EncryptedCharField, HashField
from gridwork.core.language import pick
from gridwork.core.masking import mask_name, mask_phone
from gridwork.core.models import AppendOnlyModel
from gridwork.core.scoping import code_range_q, prefix_q
from gridwork.core.sealed_text import SealedCharField, SealedTextField


class Track(models.TextChoices):
    ROUTINE = "routine", _("routine")
    COORDINATION = "coordination", _("coordination")
    EMERGENCY = "emergency", _("emergency")
    APPROVAL = "approval", _("approval")


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("submitted, awaiting acceptance")
    ON_SITE = "on_site", _("being handled on the spot")
    ACCEPTED = "accepted", _("accepted, awaiting dispatch")
    DISPATCHED = "dispatched", _("dispatched to a department")
    HANDLED = "handled", _("handled, awaiting verification")
    VERIFIED = "verified", _("verified, awaiting feedback")
    EMERGENCY = "emergency", _("emergency being handled")
    STREET_REVIEW = "street_review", _("under review by the town service centre")
    DISTRICT_REVIEW = "district_review", _("awaiting approval by the district service centre")
    NOTICE = "notice", _("decision under public notice")
    SUSPENDED = "suspended", _("suspended")
    CLOSED = "closed", _("closed")
    REJECTED = "rejected", _("rejected")
    MERGED = "merged", _("merged into another case")


# Statuses in which nothing more is expected (reopen aside).
FINAL_STATUSES = frozenset({Status.CLOSED, Status.REJECTED, Status.MERGED})
OPEN_STATUSES = frozenset(Status.values) - FINAL_STATUSES
OPEN_STATUS_LIST = tuple(sorted(OPEN_STATUSES))


class Action(models.TextChoices):
    REPORT = "report", _("reported")
    ALERT = "alert", _("alerted")
    ACCEPT = "accept", _("accepted and defined")
    RESOLVE = "resolve", _("resolved")
    ESCALATE = "escalate", _("escalated one level up")
    DISPATCH = "dispatch", _("dispatched")
    HANDLE = "handle", _("handled")
    RETURN = "return", _("returned")
    VERIFY_PASS = "verify_pass", _("verified on site: passed")
    VERIFY_FAIL = "verify_fail", _("verified on site: failed, rework")
    FEEDBACK = "feedback", _("feedback given to the resident")
    UPDATE = "update", _("on-site update")
    SUBMIT_REVIEW = "submit_review", _("submitted for review")
    REVIEW_PASS = "review_pass", _("review passed")
    APPROVE = "approve", _("approved")
    DENY = "deny", _("not approved")
    PUBLISH = "publish", _("public notice ended")
    REJECT = "reject", _("rejected")
    MERGE = "merge", _("merged as a duplicate")
    SUSPEND = "suspend", _("suspended")
    RESUME = "resume", _("resumed")
    EXTEND = "extend", _("deadline extended")
    REOPEN = "reopen", _("reopened")
    OVERDUE = "overdue", _("overdue, escalated")
    RATE = "rate", _("rated by the resident")


class Source(models.TextChoices):
    PATROL = "patrol", _("patrol")
    VISIT = "visit", _("visit")
    MEMO = "memo", _("memo")
    RESIDENT = "resident", _("resident")
    HOTLINE = "hotline", _("hotline")
    OPEN311 = "open311", _("Open311 client")
    IMPORT = "import", _("import")


class TimeUnit(models.TextChoices):
    HOURS = "hours", _("working hours")
    DAYS = "days", _("working days")


class CategoryQuerySet(models.QuerySet):
    def active(self) -> CategoryQuerySet:
        return self.filter(active=True)

    def leaves(self) -> CategoryQuerySet:
        return self.filter(children__isnull=True)


class Category(models.Model):
    """A node of the category tree; leaves are what cases are filed under.

    `limits` maps a step (see machine.STEP_OF_STATUS, plus "total") to {"amount": n, "unit": "hours"|"days"};
    a step missing here falls back to machine.DEFAULT_LIMITS for the track.
    """

    code = models.CharField(_("code"), max_length=20, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent"),
    )
    default_track = models.CharField(
        _("default track"), max_length=12, choices=Track.choices, default=Track.COORDINATION
    )
    department = models.CharField(_("handling department"), max_length=100, blank=True)
    limits = models.JSONField(_("time limits per step"), default=dict, blank=True)
    active = models.BooleanField(_("active"), default=True)

    objects = CategoryQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("case category")
        verbose_name_plural = _("case categories")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def name(self) -> str:
        return pick(self.name_zh, self.name_en)


class WorkCalendarDay(models.Model):
    """An exception to the Monday-to-Friday week: a public holiday or a make-up working day."""

    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(_("working day"))
    name = models.CharField(_("name"), max_length=50, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("work calendar day")
        verbose_name_plural = _("work calendar")

    def __str__(self) -> str:
        return f"{self.date} {'+' if self.is_workday else '-'} {self.name}"


class CaseQuerySet(ScopedQuerySet):
    scope_field = "grid__code"
    scope_capability = "cases.view"

    def visible_to(self, user: Any) -> CaseQuerySet:
        """Cases in the user's areas, plus for department handlers the cases ever dispatched to their
        department within the area of their role."""
        query = prefix_q(self.scope_field, scope_codes(user, CASES_VIEW))
        for area_code, department in department_scopes(user):
            dispatched = CaseEvent.objects.filter(department=department).values("case_id")
            dept_q = code_range_q("grid__code", area_code) & models.Q(pk__in=dispatched)
            query = dept_q if query is None else query | dept_q
        return self.filter(query) if query is not None else self.none()

    def open(self) -> CaseQuerySet:
        return self.filter(pending=True)


class Case(models.Model):
    tracking_code = models.CharField(_("tracking code"), max_length=16, unique=True)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="cases", verbose_name=_("category")
    )
    track = models.CharField(_("track"), max_length=12, choices=Track.choices)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, db_index=True)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    title = SealedCharField(_("title"), max_length=200)
    description = SealedTextField(_("description"), blank=True)
    address = SealedCharField(_("address"), max_length=200, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    grid = models.ForeignKey(
        "areas.Area",
        to_field="code",
        db_column="grid_code",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("grid"),
    )
    building = models.ForeignKey(
        "registry.Building", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    person = models.ForeignKey(
        "registry.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The reporter: a signed-in user, or a resident's contact (always shown masked).
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reporter_name = models.CharField(_("reporter name"), max_length=50, blank=True)
    reporter_phone = EncryptedCharField(_("reporter phone"), max_length=20, blank=True)
    reporter_phone_hash = HashField(source="reporter_phone")
    # The current holder: a user, else a department (under holder_area), else the staff of holder_area
    # (a grid's workers, a community's acceptance centre, a street, the district).
    holder_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    holder_area = models.ForeignKey(
        "areas.Area",
        to_field="code",
        db_column="holder_area_code",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("holding area"),
    )
    holder_department = models.CharField(_("holding department"), max_length=100, blank=True, db_index=True)
    step_started_at = models.DateTimeField(_("step started at"), null=True, blank=True)
    step_limit_minutes = models.PositiveIntegerField(_("step limit (working minutes)"), null=True, blank=True)
    step_deadline = models.DateTimeField(_("step deadline"), null=True, blank=True, db_index=True)
    deadline = models.DateTimeField(_("overall deadline"), null=True, blank=True)
    overdue = models.BooleanField(_("overdue"), default=False)
    escalation_level = models.PositiveSmallIntegerField(_("escalations"), default=0)
    # Where a suspended case goes back to, and how much of its step limit was left.
    suspended_status = models.CharField(max_length=16, choices=Status.choices, blank=True)
    suspended_remaining_minutes = models.PositiveIntegerField(null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    rating = models.PositiveSmallIntegerField(_("satisfaction"), null=True, blank=True)
    rating_comment = models.CharField(_("rating comment"), max_length=500, blank=True)
    # What the public board (Open311) may say about the case beyond its category, status, grid and
    # dates: written by a moderator (services.publish_public_text), never the resident's own words.
    public_text = models.CharField(_("public text"), max_length=500, blank=True)
    public_text_at = models.DateTimeField(_("public text published at"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="duplicates"
    )
    created_at = models.DateTimeField(_("reported at"), db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # Kept by the database from the status (so no write can leave it wrong): the queues filter on it,
    # and the partial index below is conditioned on it. A condition on the status list itself would
    # not do: a query binds the list as parameters, and SQLite then cannot tell that it implies the
    # index's condition; a boolean column is compared without one.
    pending = models.GeneratedField(
        expression=models.ExpressionWrapper(
            models.Q(status__in=OPEN_STATUS_LIST), output_field=models.BooleanField()
        ),
        output_field=models.BooleanField(),
        db_persist=True,
        verbose_name=_("open"),
    )

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["category", "status", "created_at"]),
            # The open cases of an area, with what the queues filter on: a queue's total is counted
            # from this index alone, and a grid's or a community's queue is read from it.
            models.Index(
                fields=["grid", "category", "status"],
                condition=models.Q(pending=True),
                name="case_open_by_grid",
            ),
            # The open cases in the queues' order: a wide area's first page is read from here
            # without sorting the hundreds of thousands of open cases of a district.
            models.Index(
                fields=["step_deadline", "-created_at", "-id"],
                condition=models.Q(pending=True),
                name="case_open_by_deadline",
            ),
            # The same for one status (a queue filtered by it: some statuses are rare).
            models.Index(
                fields=["status", "step_deadline", "-created_at", "-id"],
                condition=models.Q(pending=True),
                name="case_open_by_status",
            ),
        ]
        verbose_name = _("case")
        verbose_name_plural = _("cases")

    def __str__(self) -> str:
        return f"{self.tracking_code} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def reporter_name_masked(self) -> str:
        return mask_name(self.reporter_name)

    @property
    def reporter_phone_masked(self) -> str:
        return mask_phone(self.reporter_phone)

    @property
    def holder_key(self) -> str:
        """The holder as one string: "user:<id>", "department:<area>:<name>" or "area:<code>"."""
        return holder_key(self.holder_user_id, self.holder_area_id, self.holder_department)


def holder_key(user_id: int | None, area_code: str | None, department: str) -> str:
    if user_id:
        return f"user:{user_id}"
    if department:
        return f"department:{area_code or ''}:{department}"
    return f"area:{area_code}" if area_code else ""


class CaseEvent(AppendOnlyModel):
    """One entry of a case's timeline: append-only."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events", verbose_name=_("case"))
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(_("actor"), max_length=150, blank=True)
    actor_role = models.CharField(_("acting as"), max_length=24, blank=True)
    at = models.DateTimeField(_("time"), db_index=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    note = SealedTextField(_("note"), blank=True)
    from_status = models.CharField(_("from status"), max_length=16, blank=True)
    to_status = models.CharField(_("to status"), max_length=16, blank=True)
    holder_before = models.CharField(_("holder before"), max_length=160, blank=True)
    holder_after = models.CharField(_("holder after"), max_length=160, blank=True)
    # The department the case went to (dispatch, rework): how department handlers keep seeing it.
    department = models.CharField(_("department"), max_length=100, blank=True, db_index=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("case event")
        verbose_name_plural = _("case timeline")

    def __str__(self) -> str:
        return f"{self.case_id} {self.action} {self.at:%Y-%m-%d %H:%M}"


def photo_path(instance: CasePhoto, filename: str) -> str:
    # The name is ours, never the uploader's (it could carry personal data or a path).
    return f"cases/{instance.case_id}/{instance.token}.{instance.extension}"


class CasePhoto(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="photos", verbose_name=_("case"))
    event = models.ForeignKey(
        CaseEvent,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="photos",
        verbose_name=_("event"),
    )
    token = models.CharField(max_length=32, unique=True)
    extension = models.CharField(max_length=5)
    file = models.FileField(_("file"), upload_to=photo_path, max_length=200)
    content_type = models.CharField(_("content type"), max_length=20)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("case photo")
        verbose_name_plural = _("case photos")

    def __str__(self) -> str:
        return f"{self.case_id}/{self.token}"

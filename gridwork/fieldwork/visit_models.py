"""Visits to key people and households, the Grid People's Memo (民情日记), and the offline sync log.

Every record carries its grid's code (`grid_id`), so `visible_to(user)` is a prefix filter with no
join, as in the register. The visit interval of a key-people tag is the register's own
`KeyGroup.visit_interval_days` (seeded per group: weekly for people living alone or under
community correction, monthly for most, quarterly for veterans).
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gridwork.accounts.access import FIELDWORK_VISITS_VIEW
from gridwork.accounts.scoping import ScopedQuerySet
from gridwork.core.sealed_text import SealedCharField, SealedTextField, seal_json, unseal_json
from gridwork.registry.models import grid_field


class VisitsQuerySet(ScopedQuerySet):
    scope_field = "grid__code"
    scope_capability = FIELDWORK_VISITS_VIEW


class VisitKind(models.TextChoices):
    HOME = "home", _("home visit")
    PHONE = "phone", _("phone call")
    OUTSIDE = "outside", _("met outside")


class MemoSubject(models.TextChoices):
    RESIDENT = "resident", _("a resident")
    HOUSEHOLD = "household", _("a household")
    BUILDING = "building", _("a building")
    PLACE = "place", _("a place")


class Visit(models.Model):
    grid = grid_field()
    person = models.ForeignKey(
        "registry.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("person"),
    )
    household = models.ForeignKey(
        "registry.Household",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("household"),
    )
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("visited by")
    )
    visited_at = models.DateTimeField(_("visited at"))
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    kind = models.CharField(_("kind"), max_length=8, choices=VisitKind.choices, default=VisitKind.HOME)
    findings = SealedTextField(_("findings"), blank=True)
    needs = SealedTextField(_("needs"), blank=True)
    # Follow-ups: a case opened from the visit, a change the register needs, the next visit's date.
    case = models.ForeignKey(
        "cases.Case",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("follow-up case"),
    )
    about_case = models.ForeignKey(
        "cases.Case",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("for the open case"),
    )
    register_note = SealedTextField(_("register change needed"), blank=True)
    next_visit_on = models.DateField(_("next visit on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = VisitsQuerySet.as_manager()

    class Meta:
        ordering = ["-visited_at", "-id"]
        indexes = [
            # The last visit of a person or a household: one index probe per row of the due list.
            models.Index(fields=["person", "-visited_at"], name="visit_person_last"),
            models.Index(fields=["household", "-visited_at"], name="visit_household_last"),
            models.Index(fields=["grid", "-visited_at"], name="visit_grid_recent"),
        ]
        verbose_name = _("visit")
        verbose_name_plural = _("visits")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.visited_at:%Y-%m-%d}"


def memo_photo_path(memo: Memo, filename: str) -> str:
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "jpg"
    return f"memos/{memo.grid_id}/{secrets.token_hex(12)}.{ext}"


class Memo(models.Model):
    """A quick note about a resident, household, building or place; it may become a case, a visit
    or a register update, and links to what it became."""

    grid = grid_field()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("written by")
    )
    written_at = models.DateTimeField(_("written at"))
    subject = models.CharField(
        _("about"), max_length=10, choices=MemoSubject.choices, default=MemoSubject.RESIDENT
    )
    person = models.ForeignKey(
        "registry.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    household = models.ForeignKey(
        "registry.Household", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    building = models.ForeignKey(
        "registry.Building", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    place = SealedCharField(_("place"), max_length=200, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    text = SealedTextField(_("note"))
    photo = models.FileField(_("photo"), upload_to=memo_photo_path, max_length=200, blank=True)
    became_case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    became_visit = models.OneToOneField(
        Visit, null=True, blank=True, on_delete=models.SET_NULL, related_name="from_memo"
    )
    became_register_note = SealedTextField(_("register update noted"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = VisitsQuerySet.as_manager()

    class Meta:
        ordering = ["-written_at", "-id"]
        indexes = [models.Index(fields=["grid", "-written_at"], name="memo_grid_recent")]
        verbose_name = _("people's memo")
        verbose_name_plural = _("people's memos")

    def __str__(self) -> str:
        return self.text[:40]

    @property
    def became(self) -> str:
        if self.became_case_id:
            return "case"
        if self.became_visit_id:
            return "visit"
        if self.became_register_note:
            return "register"
        return ""


class SyncResult(models.TextChoices):
    STORED = "stored", _("stored")
    CONFLICT = "conflict", _("conflict: to settle")
    SETTLED = "settled", _("conflict settled: stored")
    DISCARDED = "discarded", _("conflict settled: discarded")


class SyncEntry(models.Model):
    """One entry made on a phone, by its client-made id: what the server did with it, once.

    A refused entry (malformed, not allowed) is not kept: the phone keeps it to correct. A
    conflicting one is kept with its payload until the worker settles it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    client_id = models.UUIDField(_("id made on the phone"))
    kind = models.CharField(_("kind"), max_length=30)
    grid = models.ForeignKey(
        "areas.Area",
        to_field="code",
        db_column="grid_code",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    result = models.CharField(_("result"), max_length=10, choices=SyncResult.choices)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=40, blank=True)
    # The entry as the phone sent it, the numbers typed into its texts sealed (core.sealed_text):
    # write it with `keep_payload`, read it with `opened_payload`.
    payload = models.JSONField(default=dict, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    settled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "client_id"], name="sync_entry_once_per_user"),
        ]
        indexes = [models.Index(fields=["user", "result"], name="sync_entry_user_result")]
        verbose_name = _("offline entry")
        verbose_name_plural = _("offline entries")

    def __str__(self) -> str:
        return f"{self.kind} {self.client_id} {self.result}"

    PAYLOAD_LABEL = "fieldwork.syncentry.payload"

    @classmethod
    def keep_payload(cls, entry: dict) -> dict:
        return seal_json(entry, cls.PAYLOAD_LABEL)

    def opened_payload(self) -> dict:
        return unseal_json(self.payload, self.PAYLOAD_LABEL)

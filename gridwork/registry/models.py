"""The register: buildings, houses, households, people, organisations, objects and key-people tags.

Every record carries its grid's code (`grid_id`, a foreign key to the area by code), so
`visible_to(user)` and the counts are prefix filters with no joins.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gridwork.accounts.scoping import ScopedQuerySet
from gridwork.core.encrypted_fields import EncryptedCharField, HashField
from gridwork.core.language import pick
from gridwork.core.masking import mask_id_number, mask_phone
from gridwork.core.sealed_text import SealedTextField
from gridwork.registry import choices as c

# A whole resident ID number (18 characters, or the old 15 digits) typed into a search box.
RESIDENT_ID_LIKE = re.compile(r"[0-9]{17}[0-9Xx]|[0-9]{15}")


def grid_field() -> models.ForeignKey:
    return models.ForeignKey(
        "areas.Area",
        to_field="code",
        db_column="grid_code",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("grid"),
    )


class RegisterQuerySet(ScopedQuerySet):
    scope_field = "grid__code"
    scope_capability = "register.view"

    def named(self, prefix: str) -> RegisterQuerySet:
        """Records whose name begins with `prefix` (a surname, or a surname and more), in name order.

        A range on the name rather than LIKE: SQLite answers `LIKE 'x%' ESCAPE` by reading every row
        in scope, a range from the name's index (a district's search took seconds as LIKE)."""
        return self.filter(name__gte=prefix, name__lt=prefix + "\U0010ffff").order_by("name", "id")

    def searched(self, text: str) -> RegisterQuerySet:
        """People whose whole ID number is `text` (found through its keyed hash: the numbers are
        encrypted, so part of one cannot be searched), else whose name begins with it."""
        if RESIDENT_ID_LIKE.fullmatch(text):
            return self.filter(id_number=text.upper()).order_by("name", "id")
        return self.named(text)


class Organization(models.Model):
    grid = grid_field()
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=12, choices=c.OrgKind.choices)
    credit_code = models.CharField(
        _("unified social credit code"), max_length=18, null=True, blank=True, unique=True
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    contact_name = models.CharField(_("contact"), max_length=50, blank=True)
    contact_phone = EncryptedCharField(_("contact phone"), max_length=20, blank=True)
    contact_phone_hash = HashField(source="contact_phone")
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    employees = models.PositiveIntegerField(_("employees"), null=True, blank=True)

    objects = RegisterQuerySet.as_manager()

    class Meta:
        ordering = ["grid_id", "name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name

    @property
    def contact_phone_masked(self) -> str:
        return mask_phone(self.contact_phone)


class Building(models.Model):
    grid = grid_field()
    code = models.CharField(_("building code"), max_length=30, unique=True)
    estate = models.CharField(_("estate"), max_length=100, blank=True)
    number = models.CharField(_("building number"), max_length=20)
    address = models.CharField(_("address"), max_length=200)
    lon = models.FloatField(_("longitude"))
    lat = models.FloatField(_("latitude"))
    floors = models.PositiveSmallIntegerField(_("floors"), default=1)
    units = models.PositiveSmallIntegerField(_("units"), default=1)
    property_company = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_buildings",
        verbose_name=_("property company"),
    )
    head = models.ForeignKey(
        "Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("building head"),
    )

    objects = RegisterQuerySet.as_manager()

    class Meta:
        ordering = ["grid_id", "estate", "number"]
        verbose_name = _("building")
        verbose_name_plural = _("buildings")

    def __str__(self) -> str:
        return f"{self.estate} {self.number}".strip()


class House(models.Model):
    grid = grid_field()
    building = models.ForeignKey(
        Building, on_delete=models.PROTECT, related_name="houses", verbose_name=_("building")
    )
    unit = models.PositiveSmallIntegerField(_("unit"), default=1)
    floor = models.SmallIntegerField(_("floor"), default=1)
    room = models.CharField(_("room"), max_length=20)
    floor_area = models.DecimalField(
        _("floor area (m²)"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    use = models.CharField(
        _("use"), max_length=12, choices=c.HouseUse.choices, default=c.HouseUse.OWNER_OCCUPIED
    )
    owner = models.ForeignKey(
        "Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_houses",
        verbose_name=_("owner"),
    )

    objects = RegisterQuerySet.as_manager()

    class Meta:
        ordering = ["building_id", "unit", "floor", "room"]
        constraints = [
            models.UniqueConstraint(fields=["building", "unit", "room"], name="house_unique_room"),
        ]
        verbose_name = _("house")
        verbose_name_plural = _("houses")

    def __str__(self) -> str:
        return f"{self.building} {self.unit}-{self.room}"


class Household(models.Model):
    grid = grid_field()
    number = models.CharField(_("household number"), max_length=30, unique=True)
    house = models.ForeignKey(
        House,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="households",
        verbose_name=_("house"),
    )
    head = models.ForeignKey(
        "Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("head")
    )

    objects = RegisterQuerySet.as_manager()

    class Meta:
        ordering = ["grid_id", "number"]
        verbose_name = _("household")
        verbose_name_plural = _("households")

    def __str__(self) -> str:
        return self.number


class Person(models.Model):
    grid = grid_field()
    household = models.ForeignKey(
        Household,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
        verbose_name=_("household"),
    )
    relation = models.CharField(_("relation to head"), max_length=12, choices=c.Relation.choices, blank=True)
    name = models.CharField(pgettext_lazy("of a person", "name"), max_length=50)
    id_type = models.CharField(
        _("ID document"), max_length=12, choices=c.IdType.choices, default=c.IdType.RESIDENT_ID
    )
    # Encrypted at rest (core.encrypted_fields); looked up and kept unique through the hash.
    id_number = EncryptedCharField(_("ID number"), max_length=32)
    id_number_hash = HashField(source="id_number")
    # The same without spaces and in upper case, for the duplicates finder.
    id_number_key = HashField(source="id_number", normalise=True)
    sex = models.CharField(_("sex"), max_length=1, choices=c.Sex.choices)
    birth_date = models.DateField(_("birth date"))
    ethnicity = models.CharField(_("ethnicity"), max_length=20, blank=True)
    phone = EncryptedCharField(_("phone"), max_length=20, blank=True)
    phone_hash = HashField(source="phone")
    residence_type = models.CharField(
        _("residence type"),
        max_length=12,
        choices=c.ResidenceType.choices,
        default=c.ResidenceType.REGISTERED,
    )
    status = models.CharField(
        _("status"), max_length=12, choices=c.PersonStatus.choices, default=c.PersonStatus.LIVING
    )
    political_status = models.CharField(
        _("political status"),
        max_length=16,
        choices=c.PoliticalStatus.choices,
        default=c.PoliticalStatus.MASSES,
    )
    education = models.CharField(_("education"), max_length=16, choices=c.Education.choices, blank=True)
    work = models.CharField(_("work"), max_length=100, blank=True)
    notes = SealedTextField(_("notes"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = RegisterQuerySet.as_manager()

    class Meta:
        ordering = ["grid_id", "household_id", "id"]
        constraints = [
            # One living person per ID number; the dead keep theirs in the register.
            models.UniqueConstraint(
                fields=["id_type", "id_number_hash"],
                condition=~models.Q(status="deceased"),
                name="one_living_person_per_id",
            ),
        ]
        indexes = [
            models.Index(fields=["grid", "status", "political_status"]),
            # The lists of an area's people, in their order: a page's keys are read from the index
            # and the read stops after them (a search's total is counted from it too).
            models.Index(fields=["grid", "household", "id"], name="person_list_order"),
            # Lookups by ID number alone (tags, house owners, duplicates) cannot use the partial
            # unique index above, which leads with id_type.
            models.Index(fields=["id_number_hash"], name="person_id_number_hash"),
            # Duplicates by name and phone (registry.duplicates).
            models.Index(fields=["phone_hash"], name="person_phone_hash"),
            # Searches by the beginning of the name (RegisterQuerySet.named).
            models.Index(fields=["name"], name="person_name"),
        ]
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        return self.name

    @property
    def id_number_masked(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)


class FacilityObject(models.Model):
    """A public facility (部件) classed by CJ/T 214."""

    grid = grid_field()
    code = models.CharField(_("object code"), max_length=30, unique=True)
    object_class = models.CharField(_("class"), max_length=2, choices=c.ObjectClass.choices)
    subclass = models.CharField(_("subclass"), max_length=50)
    name = models.CharField(_("name"), max_length=100, blank=True)
    lon = models.FloatField(_("longitude"))
    lat = models.FloatField(_("latitude"))
    owner_department = models.CharField(_("owner department"), max_length=100, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=c.ObjectState.choices, default=c.ObjectState.INTACT
    )

    objects = RegisterQuerySet.as_manager()

    class Meta:
        ordering = ["grid_id", "code"]
        verbose_name = _("object")
        verbose_name_plural = _("objects")

    def __str__(self) -> str:
        return f"{self.subclass} {self.code}"


class KeyGroup(models.Model):
    """A kind of key-people tag: a service or management group with its sensitivity and visit interval."""

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name (Chinese)"), max_length=50)
    name_en = models.CharField(_("name (English)"), max_length=80)
    kind = models.CharField(_("kind"), max_length=12, choices=c.TagKind.choices)
    sensitivity = models.PositiveSmallIntegerField(
        _("sensitivity"), choices=c.Sensitivity.choices, default=c.Sensitivity.NORMAL
    )
    visit_interval_days = models.PositiveSmallIntegerField(_("visit interval (days)"), default=30)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("key group")
        verbose_name_plural = _("key groups")

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return pick(self.name, self.name_en)


class PersonTag(models.Model):
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="tags", verbose_name=_("person")
    )
    group = models.ForeignKey(
        KeyGroup, on_delete=models.PROTECT, related_name="tags", verbose_name=_("group")
    )
    grid = grid_field()
    since = models.DateField(_("since"))
    until = models.DateField(_("until"), null=True, blank=True)
    risk_level = models.CharField(
        _("risk level"), max_length=8, choices=c.RiskLevel.choices, default=c.RiskLevel.LOW
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("case officer"),
    )
    details = SealedTextField(_("details"), blank=True)

    objects = RegisterQuerySet.as_manager()

    class Meta:
        ordering = ["person_id", "group__sort_order"]
        indexes = [
            models.Index(fields=["grid", "group"]),
            # The counts add tags ending in the future at read time (see counts.py); few have an end.
            models.Index(fields=["until"], name="persontag_until"),
        ]
        verbose_name = _("key-people tag")
        verbose_name_plural = _("key-people tags")

    def __str__(self) -> str:
        return f"{self.person} — {self.group}"

    @property
    def is_current(self) -> bool:
        from django.utils import timezone

        return self.until is None or self.until >= timezone.localdate()


class AreaCount(models.Model):
    """One count of the register for one area (every level), kept exact by `registry.counts`.

    Home pages read their counts here instead of scanning a million people per request.
    """

    area_code = models.CharField(_("area code"), max_length=15)
    parent_code = models.CharField(_("parent area code"), max_length=15, blank=True)
    metric = models.CharField(_("metric"), max_length=40)
    value = models.BigIntegerField(_("value"), default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["area_code", "metric"], name="one_count_per_area_metric")
        ]
        indexes = [models.Index(fields=["parent_code", "metric"], name="areacount_parent")]
        verbose_name = _("area count")
        verbose_name_plural = _("area counts")

    def __str__(self) -> str:
        return f"{self.area_code} {self.metric}={self.value}"

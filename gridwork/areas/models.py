"""The five-level network: one tree of areas whose codes are materialised paths."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from gridwork.accounts.scoping import ScopedQuerySet
from gridwork.core.scoping import code_range_q, prefix_q
from gridwork.core.validators import AREA_CODE_LENGTHS, validate_area_code


class Level(models.IntegerChoices):
    DISTRICT = 1, _("district")
    STREET = 2, _("street / town")
    COMMUNITY = 3, _("community / village")
    GRID = 4, _("grid / village group")


URBAN_LEVEL_NAMES = {1: _("district"), 2: _("street"), 3: _("community"), 4: _("grid")}
RURAL_LEVEL_NAMES = {1: _("county"), 2: _("town"), 3: _("village"), 4: _("village group")}


def level_of_code(code: str) -> int:
    return AREA_CODE_LENGTHS[len(code)]


def ancestor_codes(code: str) -> list[str]:
    """The codes above an area, nearest last: 6, 9, 12 digits for a grid."""
    return [code[:n] for n in (6, 9, 12) if n < len(code)]


def level_name(level: int, rural: bool) -> str:
    """What an area of this level is called (a street or a town, a community or a village), in the
    active language."""
    return str((RURAL_LEVEL_NAMES if rural else URBAN_LEVEL_NAMES)[level])


class CommunityKind(models.TextChoices):
    ESTATE = "estate", _("property-managed estate")
    SELF_MANAGED = "self", _("self-managed")
    WORK_UNIT = "work_unit", _("work-unit")
    VILLAGE = "village", _("village")


class AreaQuerySet(ScopedQuerySet):
    scope_field = "code"
    scope_capability = "areas.view"

    def subtree(self, code: str, include_self: bool = True) -> AreaQuerySet:
        qs = self.filter(code_range_q("code", code))
        return qs if include_self else qs.exclude(code=code)

    def ancestors(self, code: str) -> AreaQuerySet:
        return self.filter(code__in=ancestor_codes(code)).order_by("level")

    def at_level(self, level: int) -> AreaQuerySet:
        return self.filter(level=level)

    def grids(self) -> AreaQuerySet:
        return self.filter(level=Level.GRID)

    def under_any(self, codes: list[str]) -> AreaQuerySet:
        if not codes:
            return self.none()
        return self.filter(prefix_q("code", codes))


class Area(models.Model):
    code = models.CharField(_("code"), max_length=15, unique=True, validators=[validate_area_code])
    name = models.CharField(_("name"), max_length=100)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices, db_index=True)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent"),
    )
    rural = models.BooleanField(_("rural"), default=False)
    community_kind = models.CharField(
        _("community kind"), max_length=12, choices=CommunityKind.choices, blank=True
    )
    target_households = models.PositiveIntegerField(_("target households"), null=True, blank=True)
    target_people = models.PositiveIntegerField(_("target people"), null=True, blank=True)
    duties = models.TextField(_("public sign: duties"), blank=True)

    objects = AreaQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("area")
        verbose_name_plural = _("areas")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def level_name(self) -> str:
        return level_name(self.level, self.rural)

    def clean(self) -> None:
        errors: dict[str, list] = {}
        try:
            validate_area_code(self.code)
        except ValidationError as exc:
            errors["code"] = exc.messages
        else:
            expected = level_of_code(self.code)
            if self.level and self.level != expected:
                errors.setdefault("level", []).append(_("The level does not match the length of the code."))
            if expected == Level.DISTRICT:
                if self.parent_id:
                    errors.setdefault("parent", []).append(_("A district has no parent area."))
            elif self.parent is None or self.parent.code != self.code[:-3]:
                errors.setdefault("parent", []).append(
                    _("The code must extend its parent's code by three digits.")
                )
        if self.community_kind and self.level != Level.COMMUNITY:
            errors.setdefault("community_kind", []).append(_("Only a community has a community kind."))
        if errors:
            raise ValidationError(errors)


class BoundaryQuerySet(models.QuerySet):
    def current(self) -> BoundaryQuerySet:
        return self.filter(valid_to__isnull=True)

    def valid_on(self, day) -> BoundaryQuerySet:  # noqa: ANN001
        return self.filter(valid_from__lte=day).filter(
            models.Q(valid_to__isnull=True) | models.Q(valid_to__gt=day)
        )


class AreaBoundary(models.Model):
    """One version of an area's polygon (GeoJSON, WGS-84); versions never overlap in time."""

    area = models.ForeignKey(
        Area, on_delete=models.CASCADE, related_name="boundaries", verbose_name=_("area")
    )
    geojson = models.JSONField(_("boundary (GeoJSON)"))
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    # Bounding box, so a point lookup can skip most polygons in SQL.
    min_lon = models.FloatField()
    min_lat = models.FloatField()
    max_lon = models.FloatField()
    max_lat = models.FloatField()
    created_at = models.DateTimeField(auto_now_add=True)

    objects = BoundaryQuerySet.as_manager()

    class Meta:
        ordering = ["area__code", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["area"], condition=models.Q(valid_to__isnull=True), name="one_current_boundary"
            )
        ]
        verbose_name = _("boundary version")
        verbose_name_plural = _("boundary versions")

    def __str__(self) -> str:
        return f"{self.area.code} {self.valid_from}–{self.valid_to or ''}"

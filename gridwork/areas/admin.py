"""Back-office admin of the area tree: seen by areas.view holders within their subtree, written by
areas.change holders (district staff) through `areas.services`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from gridwork.accounts.access import AREAS_CHANGE, AREAS_VIEW, can, has_capability, scope_codes
from gridwork.accounts.admin_site import site
from gridwork.areas import services
from gridwork.areas.models import Area, AreaBoundary
from gridwork.core.admin_base import ServiceForm, ServiceModelAdmin
from gridwork.core.scoping import prefix_q


class AreaForm(ServiceForm):
    class Meta:
        model = Area
        fields = "__all__"
        help_texts = {
            "code": _(
                "6 digits for a district, 9 for a street, 12 for a community, 15 for a grid; "
                "the parent's code followed by three digits."
            ),
        }


@admin.register(Area, site=site)
class AreaAdmin(ServiceModelAdmin):
    form = AreaForm
    list_display = ("code", "name", "level", "rural", "community_kind", "target_households", "target_people")
    list_filter = ("level", "rural")
    search_fields = ("code", "name")
    ordering = ("code",)

    def get_queryset(self, request: HttpRequest) -> models.QuerySet:
        return Area.objects.visible_to(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is None:
            return has_capability(request.user, AREAS_VIEW) or has_capability(request.user, AREAS_CHANGE)
        return can(request.user, AREAS_VIEW, obj.code) or can(request.user, AREAS_CHANGE, obj.code)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return has_capability(request.user, AREAS_CHANGE)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is None:
            return has_capability(request.user, AREAS_CHANGE)
        return can(request.user, AREAS_CHANGE, obj.code)

    # No delete: areas carry the register and its history; a redrawn area keeps its code.

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is None:
            return ["code", "name", *services.AREA_FIELDS[1:]]
        return ["code", "level", "parent", *services.AREA_FIELDS]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # The code is the area's identity and its place in the tree; level and parent follow from it.
        return [] if obj is None else ["code", "level", "parent"]

    def save_through_service(self, request: HttpRequest, form: ServiceForm) -> models.Model:
        data = {name: form.cleaned_data[name] for name in services.AREA_FIELDS if name in form.cleaned_data}
        if form.instance.pk is not None:
            return services.update_area(request.user, form.instance.code, **data)
        name = data.pop("name")
        if not data.get("rural"):
            # Unticked means "like its parent": a village under a town is rural without saying so.
            data.pop("rural", None)
        return services.create_area(request.user, form.cleaned_data["code"], name, **data)


class BoundaryForm(ServiceForm):
    class Meta:
        model = AreaBoundary
        fields = ("area", "geojson", "valid_from")
        help_texts = {
            "geojson": _("A GeoJSON Polygon or MultiPolygon in longitude and latitude (WGS-84)."),
            "valid_from": _("The current boundary of the area ends on this day."),
        }


@admin.register(AreaBoundary, site=site)
class AreaBoundaryAdmin(ServiceModelAdmin):
    form = BoundaryForm
    list_display = ("area", "valid_from", "valid_to")
    list_select_related = ("area",)
    search_fields = ("area__code", "area__name")
    autocomplete_fields = ("area",)

    def get_queryset(self, request: HttpRequest) -> models.QuerySet:
        query = prefix_q(
            "area__code", scope_codes(request.user, AREAS_VIEW) + scope_codes(request.user, AREAS_CHANGE)
        )
        return AreaBoundary.objects.filter(query) if query is not None else AreaBoundary.objects.none()

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is None:
            return has_capability(request.user, AREAS_VIEW) or has_capability(request.user, AREAS_CHANGE)
        return can(request.user, AREAS_VIEW, obj.area.code) or can(request.user, AREAS_CHANGE, obj.area.code)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return has_capability(request.user, AREAS_CHANGE)

    # Versions are never edited or deleted: a new version closes the current one.

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is None:
            return ["area", "geojson", "valid_from"]
        return ["area", "valid_from", "valid_to", "geojson"]

    def formfield_for_foreignkey(
        self, db_field: models.ForeignKey, request: HttpRequest, **kwargs: Any
    ) -> Any:
        if db_field.name == "area":
            kwargs["queryset"] = Area.objects.under_any(scope_codes(request.user, AREAS_CHANGE))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_dbfield(self, db_field: models.Field, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "valid_from":
            kwargs["required"] = False  # empty means today
        if db_field.name == "geojson":
            kwargs["widget"] = forms.Textarea(attrs={"rows": 8, "cols": 80})
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def save_through_service(self, request: HttpRequest, form: ServiceForm) -> models.Model:
        return services.set_boundary(
            request.user,
            form.cleaned_data["area"].code,
            form.cleaned_data["geojson"],
            valid_from=form.cleaned_data.get("valid_from"),
        )

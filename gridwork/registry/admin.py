"""Back-office admin of the register: lists are `visible_to(user)`, writes go through
`registry.services`, ID numbers and phones are shown masked."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from gridwork.accounts.access import REGISTER_CHANGE, REGISTER_VIEW, can, has_capability, scope_codes
from gridwork.accounts.admin_site import site
from gridwork.accounts.models import RoleAssignment
from gridwork.areas.models import Area
from gridwork.core.admin_base import ServiceForm, ServiceModelAdmin, model_value
from gridwork.core.masking import mask_id_number, mask_phone
from gridwork.core.scoping import prefix_q
from gridwork.registry import choices as c
from gridwork.registry import services
from gridwork.registry.models import (
    Building,
    FacilityObject,
    House,
    Household,
    KeyGroup,
    Organization,
    Person,
    PersonTag,
)


class PersonForm(ServiceForm):
    masked_fields = {"id_number": mask_id_number, "phone": mask_phone}
    clear_phone = forms.BooleanField(label=_("remove the phone number"), required=False)


class OrganizationForm(ServiceForm):
    masked_fields = {"contact_phone": mask_phone}
    clear_contact_phone = forms.BooleanField(label=_("remove the contact phone"), required=False)


class RegisterAdmin(ServiceModelAdmin):
    """Shared rules of the register's model admins."""

    # Form fields that the service can derive (the grid from a point or a household, the birth
    # date and sex from a resident ID), so the form must not insist on them.
    optional_in_form: tuple[str, ...] = ()
    # Read-only displays added to the change form.
    readonly_extra: tuple[str, ...] = ()

    # --- permissions: capabilities over the record's grid ---------------------------------------

    def get_queryset(self, request: HttpRequest) -> models.QuerySet:
        return self.model._default_manager.visible_to(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is None:
            return has_capability(request.user, REGISTER_VIEW)
        return can(request.user, REGISTER_VIEW, obj.grid_id)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return has_capability(request.user, REGISTER_CHANGE)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is None:
            return has_capability(request.user, REGISTER_CHANGE)
        return can(request.user, REGISTER_CHANGE, obj.grid_id)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_change_permission(request, obj)

    # --- the form ---------------------------------------------------------------------------------

    def _masked(self) -> dict[str, Any]:
        return getattr(self.form, "masked_fields", {})

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        fields = list(services.EDITABLE[self.model])
        if obj is None:
            return fields
        editable = self.has_change_permission(request, obj)
        result: list[str] = []
        for name in fields:
            if name in self._masked():
                # The masked value is always shown; the raw one only as an empty input to replace it.
                result.append(f"masked_{name}")
                if editable:
                    result.append(name)
                    if f"clear_{name}" in self.form.declared_fields:
                        result.append(f"clear_{name}")
            else:
                result.append(name)
        return [*result, *self.readonly_extra]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is None:
            return []
        return [*(f"masked_{name}" for name in self._masked()), *self.readonly_extra]

    def formfield_for_dbfield(self, db_field: models.Field, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name in self.optional_in_form:
            kwargs["required"] = False
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def formfield_for_foreignkey(
        self, db_field: models.ForeignKey, request: HttpRequest, **kwargs: Any
    ) -> Any:
        # Choices are what the user may refer to; the service checks the same again on save.
        user = request.user
        target = db_field.related_model
        if target is Area:
            kwargs["queryset"] = Area.objects.grids().under_any(scope_codes(user, REGISTER_CHANGE))
        elif target is KeyGroup:
            # Sensitive tags are seen only after a stated reason, which the admin does not ask for.
            kwargs["queryset"] = KeyGroup.objects.filter(sensitivity=c.Sensitivity.NORMAL)
        elif target is get_user_model():
            query = prefix_q("area__code", scope_codes(user, REGISTER_CHANGE))
            staff = (
                RoleAssignment.objects.active().filter(query)
                if query is not None
                else RoleAssignment.objects.none()
            )
            kwargs["queryset"] = (
                get_user_model()
                .objects.filter(is_active=True, pk__in=staff.values("user_id"))
                .order_by("username")
            )
        elif hasattr(target._default_manager, "visible_to"):
            kwargs["queryset"] = target._default_manager.visible_to(user)
        else:
            kwargs["queryset"] = target._default_manager.none()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    # --- writing through the service ----------------------------------------------------------------

    def save_through_service(self, request: HttpRequest, form: ServiceForm) -> models.Model:
        data: dict[str, Any] = {}
        for name in services.EDITABLE[self.model]:
            if name in form.fields and name in form.cleaned_data:
                data[name] = model_value(self.model._meta.get_field(name), form.cleaned_data[name])
        pk = form.instance.pk
        if pk is not None:
            for name in form.masked_fields:
                if name in data and not data[name]:
                    del data[name]  # left empty: keep the recorded value
                if form.cleaned_data.get(f"clear_{name}"):
                    data[name] = ""
        return services.save_record(request.user, self.model, data, pk=pk)

    def delete_through_service(self, request: HttpRequest, obj: models.Model) -> None:
        services.delete_record(request.user, self.model, obj.pk)


@admin.register(Organization, site=site)
class OrganizationAdmin(RegisterAdmin):
    form = OrganizationForm
    list_display = ("name", "kind", "credit_code", "grid", "contact_name", "masked_contact_phone")
    list_select_related = ("grid",)
    list_filter = ("kind",)
    search_fields = ("name", "credit_code")
    optional_in_form = ("grid",)

    @admin.display(description=_("contact phone"))
    def masked_contact_phone(self, obj: Organization) -> str:
        return mask_phone(obj.contact_phone) or "—"


@admin.register(Building, site=site)
class BuildingAdmin(RegisterAdmin):
    list_display = ("code", "estate", "number", "address", "grid", "floors", "units")
    list_select_related = ("grid",)
    search_fields = ("code", "estate", "number", "address")
    autocomplete_fields = ("property_company", "head")
    optional_in_form = ("grid",)


@admin.register(House, site=site)
class HouseAdmin(RegisterAdmin):
    list_display = ("__str__", "unit", "floor", "room", "use", "grid")
    list_select_related = ("grid", "building")
    list_filter = ("use",)
    search_fields = ("room", "building__code", "building__estate", "building__number")
    autocomplete_fields = ("building", "owner")
    readonly_extra = ("grid",)


@admin.register(Household, site=site)
class HouseholdAdmin(RegisterAdmin):
    list_display = ("number", "grid", "house", "head")
    list_select_related = ("grid", "house__building", "head")
    search_fields = ("number",)
    autocomplete_fields = ("house", "head")
    optional_in_form = ("grid",)


@admin.register(Person, site=site)
class PersonAdmin(RegisterAdmin):
    form = PersonForm
    list_display = (
        "name",
        "masked_id_number",
        "sex",
        "grid",
        "household",
        "relation",
        "status",
        "masked_phone",
    )
    list_select_related = ("grid", "household")
    list_filter = ("status", "residence_type", "political_status")
    # By name only: an ID number typed into a search would travel in the URL.
    search_fields = ("name",)
    autocomplete_fields = ("household",)
    optional_in_form = ("grid", "sex", "birth_date")

    @admin.display(description=_("ID number"))
    def masked_id_number(self, obj: Person) -> str:
        return mask_id_number(obj.id_number) or "—"

    @admin.display(description=_("phone"))
    def masked_phone(self, obj: Person) -> str:
        return mask_phone(obj.phone) or "—"


@admin.register(FacilityObject, site=site)
class FacilityObjectAdmin(RegisterAdmin):
    list_display = ("code", "object_class", "subclass", "name", "state", "grid")
    list_select_related = ("grid",)
    list_filter = ("object_class", "state")
    search_fields = ("code", "subclass", "name")
    optional_in_form = ("grid",)


@admin.register(PersonTag, site=site)
class PersonTagAdmin(RegisterAdmin):
    list_display = ("person", "group", "since", "until", "risk_level", "grid")
    list_select_related = ("person", "group", "grid")
    list_filter = ("risk_level",)
    search_fields = ("person__name",)
    autocomplete_fields = ("person",)
    readonly_extra = ("grid",)

    def get_queryset(self, request: HttpRequest) -> models.QuerySet:
        # Sensitive tags (management groups and the like) need a stated reason to be seen, which
        # the pages ask for; the back office keeps to the normal ones.
        return super().get_queryset(request).filter(group__sensitivity=c.Sensitivity.NORMAL)

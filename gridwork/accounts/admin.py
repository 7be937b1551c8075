"""Back-office admin of accounts and roles: for system administrators (accounts.manage) only,
within their areas, and written through `accounts.services`. Nothing here shows register data."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from gridwork.accounts import (
    audit_admin,  # noqa: F401 - registers the audit log's admin
    services,
)
from gridwork.accounts.access import ACCOUNTS_MANAGE, can, has_capability, scope_codes
from gridwork.accounts.admin_site import site
from gridwork.accounts.models import ApiToken, RoleAssignment, User
from gridwork.core.admin_base import ServiceForm, ServiceModelAdmin
from gridwork.core.scoping import prefix_q


class UserAddForm(ServiceForm):
    password = forms.CharField(label=_("password"), strip=False, widget=forms.PasswordInput)
    password_again = forms.CharField(label=_("password again"), strip=False, widget=forms.PasswordInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("password") and data.get("password_again") and data["password"] != data["password_again"]:
            self.add_error("password_again", _("The two passwords differ."))
        return data


class UserChangeForm(ServiceForm):
    unlock = forms.BooleanField(
        label=_("lift the login lockout"),
        required=False,
        help_text=_("Clears the failed logins counted for this account, from every address."),
    )
    reset_second_factor = forms.BooleanField(
        label=_("remove the authenticator"),
        required=False,
        help_text=_("For a lost phone: the user enrols a new authenticator at the next reveal or export."),
    )


class ManagerAdmin(ServiceModelAdmin):
    """Visible to system administrators only."""

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return has_capability(request.user, ACCOUNTS_MANAGE)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return has_capability(request.user, ACCOUNTS_MANAGE)


@admin.register(User, site=site)
class UserAdmin(ManagerAdmin):
    list_display = ("username", "display_name", "is_active", "role_list")
    list_filter = ("is_active",)
    search_fields = ("username", "display_name")
    ordering = ("username",)

    def get_queryset(self, request: HttpRequest) -> models.QuerySet:
        return services.manageable_users(request.user).prefetch_related("roles")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return has_capability(request.user, ACCOUNTS_MANAGE)

    # No delete: the audit log names its actors; an account is switched off instead.

    @admin.display(description=_("roles"))
    def role_list(self, obj: User) -> str:
        return "; ".join(f"{a.get_role_display()} @ {a.area_id}" for a in obj.roles.all()) or "—"

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> type:
        kwargs["form"] = UserAddForm if obj is None else UserChangeForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is None:
            return ["username", "password", "password_again", "display_name", "email", "phone"]
        return [
            "username",
            "display_name",
            "email",
            "phone",
            "is_active",
            "unlock",
            "reset_second_factor",
            "role_list",
            "last_login",
            "date_joined",
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is None:
            return []
        return ["username", "role_list", "last_login", "date_joined"]

    def save_through_service(self, request: HttpRequest, form: ServiceForm) -> models.Model:
        data = form.cleaned_data
        if form.instance.pk is None:
            return services.create_user(
                request.user,
                data["username"],
                data["password"],
                display_name=data.get("display_name", ""),
                phone=data.get("phone", ""),
                email=data.get("email", ""),
            )
        if data.get("reset_second_factor"):
            services.remove_totp_devices(request.user, form.instance)
        return services.update_user(
            request.user,
            form.instance,
            display_name=data.get("display_name"),
            email=data.get("email"),
            phone=data.get("phone"),
            is_active=data.get("is_active"),
            unlock=bool(data.get("unlock")),
        )


@admin.register(RoleAssignment, site=site)
class RoleAssignmentAdmin(ManagerAdmin):
    list_display = ("user", "role", "area", "department", "valid_from", "valid_to", "granted_by")
    list_select_related = ("user", "area", "granted_by")
    list_filter = ("role",)
    search_fields = ("user__username", "user__display_name", "area__code")
    autocomplete_fields = ("user",)
    fields = ("user", "role", "area", "department", "valid_from", "valid_to")

    def get_queryset(self, request: HttpRequest) -> models.QuerySet:
        query = prefix_q("area__code", scope_codes(request.user, ACCOUNTS_MANAGE))
        return RoleAssignment.objects.filter(query) if query is not None else RoleAssignment.objects.none()

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is None:
            return super().has_view_permission(request)
        return can(request.user, ACCOUNTS_MANAGE, obj.area_id)

    # A role is not edited: it is revoked and granted again, each audited.

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is None:
            return has_capability(request.user, ACCOUNTS_MANAGE)
        return can(request.user, ACCOUNTS_MANAGE, obj.area_id)

    def formfield_for_foreignkey(
        self, db_field: models.ForeignKey, request: HttpRequest, **kwargs: Any
    ) -> Any:
        if db_field.name == "user":
            kwargs["queryset"] = services.manageable_users(request.user)
        elif db_field.name == "area":
            areas = db_field.related_model.objects
            kwargs["queryset"] = areas.under_any(scope_codes(request.user, ACCOUNTS_MANAGE))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_through_service(self, request: HttpRequest, form: ServiceForm) -> models.Model:
        data = form.cleaned_data
        return services.grant_role(
            request.user,
            data["user"],
            data["role"],
            data["area"].code,
            department=data.get("department", ""),
            valid_from=data.get("valid_from"),
            valid_to=data.get("valid_to"),
        )

    def delete_through_service(self, request: HttpRequest, obj: models.Model) -> None:
        services.revoke_role(request.user, obj.pk)


@admin.register(ApiToken, site=site)
class ApiTokenAdmin(ManagerAdmin):
    """The tokens of the accounts one manages: read, and revoked (one action, through the service)."""

    list_display = (
        "name",
        "prefix",
        "user",
        "assignment",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked",
    )
    list_select_related = ("user", "assignment")
    list_filter = ("revoked",)
    search_fields = ("name", "prefix", "user__username")
    fields = (
        "name",
        "prefix",
        "user",
        "assignment",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked",
        "revoked_at",
    )
    readonly_fields = fields
    actions = ["revoke_selected"]

    def get_queryset(self, request: HttpRequest) -> models.QuerySet:
        return services.tokens_revocable_by(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a token is issued by its own user (`gridwork token`), never for someone else

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke_selected(self, request: HttpRequest, queryset: models.QuerySet) -> None:
        for token in queryset:
            services.revoke_token(request.user, token.pk)
        self.message_user(
            request, _("Revoked %(count)d tokens.") % {"count": len(queryset)}, messages.SUCCESS
        )

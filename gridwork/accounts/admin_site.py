"""The back-office admin site: scoped by roles held at areas, never by Django's staff flags.

Django's default site admits `is_staff` users and lets `is_superuser` do anything. Here the
site admits active users holding a back-office role, each model admin decides from the
user's capabilities (gridwork.accounts.access), and every list is `visible_to(user)`. A
superuser flag grants nothing.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.urls import URLPattern, URLResolver, path
from django.utils.translation import gettext_lazy as _

from gridwork.accounts.access import roles_of
from gridwork.accounts.models import Role
from gridwork.accounts.otp import has_device

# Field workers and department handlers use the pages and the phone app, not the back office.
BACK_OFFICE_ROLES = frozenset(
    {Role.ACCEPTANCE_CENTRE, Role.STREET_STAFF, Role.DISTRICT_STAFF, Role.AUDITOR, Role.SYSADMIN}
)


def is_back_office(user: Any) -> bool:
    """An active, signed-in user holding a back-office role in force today."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return bool(roles_of(user) & BACK_OFFICE_ROLES)


class BackOfficeLoginForm(AdminAuthenticationForm):
    """The admin login, admitting back-office roles instead of `is_staff`."""

    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "invalid_login": _(
            "Enter the username and password of an account with a back-office role. "
            "Both fields may be case-sensitive."
        ),
        "needs_code": _(
            "This account signs in with a code from its authenticator: use the login page of Gridwork, "
            "then open the back office."
        ),
    }

    def confirm_login_allowed(self, user: Any) -> None:
        # The parent refuses non-staff users; skip it and keep only the base (active) check.
        super(AdminAuthenticationForm, self).confirm_login_allowed(user)
        if not is_back_office(user):
            raise ValidationError(
                self.error_messages["invalid_login"],
                code="invalid_login",
                params={"username": self.username_field.verbose_name},
            )
        if has_device(user):
            # This form asks no code; the pages' login does, and brings the user back here.
            raise ValidationError(self.error_messages["needs_code"], code="needs_code")


def _no_view_on_site(request: HttpRequest, content_type_id: int, object_id: str) -> Any:
    # Django's shortcut looks an object up by content type with no scoping; nothing here needs it.
    raise Http404


_no_view_on_site.access_rule = "closed"  # type: ignore[attr-defined]


class GridworkAdminSite(admin.AdminSite):
    site_header = _("Gridwork back office")
    site_title = _("Gridwork back office")
    index_title = _("Back-office upkeep")
    login_form = BackOfficeLoginForm
    # The site is reached from the pages' menu; there is no public "view site" target.
    site_url = "/"

    def has_permission(self, request: HttpRequest) -> bool:
        return is_back_office(request.user)

    def get_urls(self) -> list[URLPattern | URLResolver]:
        urls = super().get_urls()
        replacement = path(
            "r/<int:content_type_id>/<path:object_id>/",
            self.admin_view(_no_view_on_site),
            name="view_on_site",
        )
        return [replacement if getattr(u, "name", None) == "view_on_site" else u for u in urls]


site = GridworkAdminSite(name="admin")

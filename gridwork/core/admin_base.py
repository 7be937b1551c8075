"""Building blocks for the back-office admin: model admins that read through `visible_to` and
write only through the apps' services.

A form of a `ServiceModelAdmin` hands its cleaned values to the service while the form is
validated, inside the admin's transaction: a ValidationError from the service lands on the
form's fields (the page shows it, the savepoint rolls back, nothing is half-saved), and a
successful call leaves the saved record for the admin's redirect. The form's own model
validation is skipped, so the service's rules are the only ones and run once.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db import models
from django.forms.forms import NON_FIELD_ERRORS
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from gridwork.core.errors import NotFound


class ServiceForm(forms.ModelForm):
    """A model form whose validation is the service call itself (see the module docstring)."""

    # Set on the generated form class by ServiceModelAdmin.get_form for one request.
    model_admin: ServiceModelAdmin | None = None
    request: HttpRequest | None = None
    # Fields shown masked: a change form starts them empty and keeps the old value when left empty.
    masked_fields: dict[str, Callable[[str | None], str]] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.saved: models.Model | None = None
        if self.instance.pk is None:
            return
        for name, mask in self.masked_fields.items():
            if name not in self.fields:
                continue
            # The full value must never reach the page, not even in an input's value attribute.
            current = getattr(self.instance, name, "") or ""
            self.initial[name] = ""
            self.fields[name].required = False
            self.fields[name].help_text = (
                _("Now %(masked)s. Leave empty to keep it, or type the full new value.")
                % {"masked": mask(current)}
                if current
                else _("Not recorded yet.")
            )

    def _post_clean(self) -> None:
        if self._errors or self.model_admin is None or self.request is None:
            return
        try:
            self.saved = self.model_admin.save_through_service(self.request, self)
        except ValidationError as exc:
            add_service_errors(self, exc)
        except PermissionDenied as exc:
            self.add_error(None, str(exc) or _("You may not do this."))
        except NotFound:
            self.add_error(None, _("A record you chose is not in your area."))


def add_service_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Put a service's errors on the form's fields; errors of fields the form lacks go on top."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    model = form._meta.model if isinstance(form, forms.ModelForm) else None
    for name, errors in exc.error_dict.items():
        if name in form.fields:
            form.add_error(name, errors)
            continue
        if name == NON_FIELD_ERRORS:
            form.add_error(None, errors)
            continue
        label = name
        if model is not None:
            with contextlib.suppress(FieldDoesNotExist):
                label = capfirst(model._meta.get_field(name).verbose_name)
        for error in errors:
            for message in error.messages:
                form.add_error(None, f"{label}: {message}")


class ServiceModelAdmin(admin.ModelAdmin):
    """A model admin that never bypasses scoping or services. Subclasses set the queryset, the
    permissions and `save_through_service` / `delete_through_service`."""

    form = ServiceForm
    # Bulk actions would delete querysets directly; records are removed one at a time by the service.
    actions = None
    view_on_site = False
    # Filters that may appear in a changelist URL; every other lookup is refused (see lookup_allowed).
    list_filter: tuple = ()

    # Refuse by default: Django's versions ask user.has_perm, which a superuser flag satisfies.
    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_module_permission(self, request: HttpRequest) -> bool:
        # Django asks user.has_module_perms (Django permissions, or is_superuser); here the
        # capabilities decide, through the four permissions below.
        return any(
            check(request)
            for check in (
                self.has_view_permission,
                self.has_add_permission,
                self.has_change_permission,
                self.has_delete_permission,
            )
        )

    # --- writing -------------------------------------------------------------------------------

    def save_through_service(self, request: HttpRequest, form: ServiceForm) -> models.Model:
        raise NotImplementedError

    def delete_through_service(self, request: HttpRequest, obj: models.Model) -> None:
        raise PermissionDenied

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> type:
        form_class = super().get_form(request, obj, change=change, **kwargs)
        # modelform_factory builds a fresh class per call, so binding the request here is safe.
        form_class.model_admin = self
        form_class.request = request
        return form_class

    def save_form(self, request: HttpRequest, form: forms.ModelForm, change: bool) -> models.Model:
        saved = getattr(form, "saved", None)
        if saved is None:
            # A valid form always went through the service; reaching here means it did not.
            raise PermissionDenied
        return saved

    def save_model(
        self, request: HttpRequest, obj: models.Model, form: forms.ModelForm, change: bool
    ) -> None:
        """Already saved by the service while the form was validated."""

    def save_related(self, request: HttpRequest, form: forms.ModelForm, formsets: Any, change: bool) -> None:
        """No many-to-many fields and no inlines: everything went through the service."""

    def delete_model(self, request: HttpRequest, obj: models.Model) -> None:
        self.delete_through_service(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: models.QuerySet) -> None:
        for obj in queryset:
            self.delete_through_service(request, obj)

    # The audit log and the record history are the record of changes; Django's LogEntry would keep
    # a second, editable copy holding names.
    def log_addition(self, request: HttpRequest, obj: Any, message: Any) -> None:
        return None

    def log_change(self, request: HttpRequest, obj: Any, message: Any) -> None:
        return None

    def log_deletions(self, request: HttpRequest, queryset: Any) -> None:
        return None

    # --- reading -------------------------------------------------------------------------------

    def _get_obj_does_not_exist_redirect(
        self, request: HttpRequest, opts: Any, object_id: str
    ) -> HttpResponse:
        # Outside the user's scope and missing answer alike: 404 (DESIGN §8).
        raise Http404

    def lookup_allowed(self, lookup: str, value: Any, request: HttpRequest | None = None) -> bool:
        # Django allows any local-field lookup in the URL, e.g. ?id_number__startswith=1101121960,
        # which would probe masked values. Only the offered filters are allowed.
        allowed = {self.date_hierarchy} if self.date_hierarchy else set()
        for item in self.list_filter:
            if isinstance(item, str):
                allowed.add(item)
            elif isinstance(item, list | tuple):
                allowed.add(item[0])
            elif hasattr(item, "parameter_name"):
                allowed.add(item.parameter_name)
        if lookup.split("__", 1)[0] not in allowed:
            return False
        return super().lookup_allowed(lookup, value, request)

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> tuple[list, dict, set, list]:
        # Django lists every related record by name (a person's tags, say, which may be sensitive,
        # or records outside the user's scope); show only the record itself and totals.
        _deleted, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        own = str(self.opts.verbose_name_plural)
        # Counts by kind would tell that a person has a tag hidden from the user; one total says enough.
        related = sum(count for label, count in model_count.items() if str(label) != own)
        summary: dict[str, int] = {own: len(objs)}
        if related:
            summary[_("related records")] = related
        refusal = (
            [_("%(count)s other records still refer to it.") % {"count": len(protected)}] if protected else []
        )
        return [str(obj) for obj in objs], summary, perms_needed, refusal

    # --- errors from the services --------------------------------------------------------------

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: Any = None,
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except NotFound as exc:
            raise Http404 from exc

    def delete_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> HttpResponse:
        try:
            return super().delete_view(request, object_id, extra_context)
        except NotFound as exc:
            raise Http404 from exc
        except ValidationError as exc:
            # The admin's transaction has rolled back; say why and go back to the record.
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
            url = reverse(
                f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_change",
                args=[object_id],
            )
            return HttpResponseRedirect(url)


def model_value(field: models.Field, value: Any) -> Any:
    """A form's cleaned value as a service takes it: a related record by the key its field refers to."""
    if isinstance(value, models.Model) and isinstance(field, models.ForeignKey):
        return getattr(value, field.target_field.attname)
    return value

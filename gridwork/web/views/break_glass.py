"""Break the glass: the form that opens one protected key person outside the user's areas."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from gridwork.accounts.access import REGISTER_BREAK_GLASS
from gridwork.accounts.decorators import requires
from gridwork.registry.break_glass import break_glass, refusal_message
from gridwork.web.forms import BreakGlassForm


@requires(REGISTER_BREAK_GLASS)
@require_http_methods(["GET", "POST"])
def break_glass_form(request: HttpRequest) -> HttpResponse:
    form = BreakGlassForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            outcome = break_glass(request.user, form.cleaned_data["identifier"], form.cleaned_data["reason"])
        except ValidationError as exc:
            for message in exc.message_dict.get("reason", exc.messages):
                form.add_error("reason", message)
        else:
            if outcome.person is not None:
                if outcome.grant is not None:
                    until = outcome.grant.until
                    messages.warning(
                        request,
                        _("Opened until %(until)s; this is in the audit log.")
                        % {"until": f"{until.astimezone():%H:%M}"},
                    )
                return redirect("web:person", outcome.person.pk)
            form.add_error(None, refusal_message())
    # A refusal answers 200 like the empty form: its status tells nothing either.
    return render(request, "web/break_glass.html", {"form": form, "hours": settings.BREAK_GLASS_HOURS})

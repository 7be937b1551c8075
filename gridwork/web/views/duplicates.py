"""The duplicate finder: people registered more than once in the user's scope, and merging them."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gridwork.accounts.access import REGISTER_CHANGE
from gridwork.accounts.decorators import requires
from gridwork.registry.duplicates import find_duplicates
from gridwork.registry.merge import merge_persons


def _page(request: HttpRequest, error: str = "", status: int = 200) -> HttpResponse:
    return render(
        request,
        "web/duplicates.html",
        {"groups": find_duplicates(request.user), "error": error},
        status=status,
    )


@requires(REGISTER_CHANGE)
def duplicates(request: HttpRequest) -> HttpResponse:
    return _page(request)


@requires(REGISTER_CHANGE)
@require_POST
def merge(request: HttpRequest) -> HttpResponse:
    keep, merged = request.POST.get("keep", ""), request.POST.get("merge", "")
    try:
        kept = merge_persons(request.user, keep, merged, request.POST.get("reason", ""))
    except ValidationError as exc:
        return _page(request, " ".join(exc.messages), status=400)
    messages.success(request, _("The records were merged into %(name)s.") % {"name": kept.name})
    return redirect("web:duplicates")

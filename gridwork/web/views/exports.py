"""Export buttons of the register lists: a masked file by GET, an unmasked one by POST with a reason."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from gridwork.accounts.access import REGISTER_EXPORT
from gridwork.accounts.decorators import requires, second_factor_verified
from gridwork.transfer.exports import Filters, http_response, start_export

FILTER_MAX = 50


def _filters(request: HttpRequest) -> Filters:
    def get(name: str) -> str:
        return (request.GET.get(name) or request.POST.get(name) or "").strip()[:FILTER_MAX]

    return Filters(q=get("q"), tag=get("tag"), status=get("status"))


@requires(REGISTER_EXPORT)
@second_factor_verified
@require_http_methods(["GET", "POST"])
def export_list(request: HttpRequest, code: str, kind: str) -> HttpResponse:
    fmt = (request.POST.get("format") or request.GET.get("format") or "xlsx").lower()
    reason = ""
    if request.method == "POST":
        # A POST asks for the full values; without a reason it must not quietly fall back to masked.
        reason = request.POST.get("reason", "").strip()
        if not reason:
            message = _("State why you need to see the full data (at least 4 characters).")
            return HttpResponseBadRequest(message)
    try:
        export = start_export(request.user, kind, code, fmt, filters=_filters(request), reveal_reason=reason)
    except ValidationError as exc:
        return HttpResponseBadRequest(" ".join(exc.messages))
    return http_response(export)

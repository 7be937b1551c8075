"""The inbox page: the signed-in user's own notifications, and marking them read."""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from gridwork.accounts.decorators import signed_in
from gridwork.notify import services
from gridwork.notify.messages import inbox_text
from gridwork.notify.models import Notification

PAGE_SIZE = 50


@signed_in
def inbox(request: HttpRequest) -> HttpResponse:
    notes = Notification.objects.for_user(request.user).select_related("case__category", "event")
    if request.GET.get("unread"):
        notes = notes.unread()
    page = Paginator(notes, PAGE_SIZE).get_page(request.GET.get("page"))
    for note in page.object_list:
        status = note.event.to_status if note.event else (note.case.status if note.case else "")
        note.shown = inbox_text(note.kind, note.case, status)
    return render(
        request,
        "notify/inbox.html",
        {
            "page": page,
            "unread_only": bool(request.GET.get("unread")),
            "site_language": settings.LANGUAGE_CODE,
        },
    )


@signed_in
@require_POST
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    services.mark_read(request.user, pk)
    return redirect("web:inbox")


@signed_in
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    services.mark_all_read(request.user)
    return redirect("web:inbox")

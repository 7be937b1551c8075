"""Case pages for staff: the queues, a case with its timeline and actions, its photos.

Every read goes through `Case.objects.visible_to` (via services.get_visible_case); every write is one
call of gridwork.cases.services. A case outside the user's scope answers 404 like a missing one.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gridwork.accounts.access import CASES_PUBLISH, CASES_REPORT
from gridwork.accounts.access import has_capability as _has_capability
from gridwork.accounts.decorators import requires, second_factor_verified, signed_in
from gridwork.accounts.models import Role, RoleAssignment
from gridwork.cases import calendar, machine, queues, services
from gridwork.cases.access import may_use_cases
from gridwork.cases.errors import StaleCase, TransitionNotAllowed
from gridwork.cases.models import (
    OPEN_STATUSES,
    Action,
    Case,
    CaseEvent,
    CasePhoto,
    Category,
    Source,
    Status,
    TimeUnit,
    Track,
)
from gridwork.core.language import choice_labels, pick
from gridwork.web.links import record_link
from gridwork.web.pagination import paginate_by_key
from gridwork.web.views.case_forms import (
    category_choices,
    error_messages,
    parse_point,
    request_too_large,
)

TABS = ("mine", "area", "overdue")
# A queue is counted this far (30 pages); beyond it the page asks for a filter.
QUEUE_COUNT_UP_TO = 900
# Actions done where the problem is: the form offers the phone's location and photos.
ON_SITE_ACTIONS = frozenset(
    {Action.RESOLVE, Action.UPDATE, Action.VERIFY_PASS, Action.VERIFY_FAIL, Action.HANDLE}
)
# What the buttons say (the timeline says what was done: Action's labels).
ACTION_VERBS = {
    Action.ACCEPT: gettext_lazy("Accept and define"),
    Action.RESOLVE: gettext_lazy("Resolve and close"),
    Action.ESCALATE: gettext_lazy("Escalate one level up"),
    Action.DISPATCH: gettext_lazy("Dispatch to a department"),
    Action.HANDLE: gettext_lazy("Report as handled"),
    Action.RETURN: gettext_lazy("Return"),
    Action.VERIFY_PASS: gettext_lazy("Verified on site: passed"),
    Action.VERIFY_FAIL: gettext_lazy("Verified on site: failed, rework"),
    Action.FEEDBACK: gettext_lazy("Give feedback to the resident and close"),
    Action.UPDATE: gettext_lazy("Add an on-site update"),
    Action.SUBMIT_REVIEW: gettext_lazy("Submit for review"),
    Action.REVIEW_PASS: gettext_lazy("Pass the review"),
    Action.APPROVE: gettext_lazy("Approve"),
    Action.DENY: gettext_lazy("Deny"),
    Action.PUBLISH: gettext_lazy("End the public notice and close"),
    Action.REJECT: gettext_lazy("Reject"),
    Action.MERGE: gettext_lazy("Merge into another case"),
    Action.SUSPEND: gettext_lazy("Suspend"),
    Action.RESUME: gettext_lazy("Resume"),
    Action.EXTEND: gettext_lazy("Extend the deadline"),
    Action.REOPEN: gettext_lazy("Reopen"),
}
View = Callable[..., HttpResponse]


def case_staff(view: View) -> View:
    """Signed in, and holding a role that sees cases; the cases themselves are then scoped."""

    @signed_in
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not may_use_cases(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    wrapper.access_rule = "requires:cases.view|department"  # type: ignore[attr-defined]
    return wrapper


# --- queues --------------------------------------------------------------------------------------


QUEUE_ROW_FIELDS = (
    "id",
    "title",
    "tracking_code",
    "status",
    "overdue",
    "step_deadline",
    "step_started_at",
    "step_limit_minutes",
)


@case_staff
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    user, now = request.user, timezone.now()
    tab = request.GET.get("tab") if request.GET.get("tab") in TABS else "mine"
    status = request.GET.get("status") or ""
    if status not in Status.values:
        status = ""
    category_code = (request.GET.get("category") or "").strip()[:20]

    branch: list[int] = []
    if category_code:
        # A branch of the tree selects all its leaves: the codes nest.
        branch = list(Category.objects.filter(code__startswith=category_code).values_list("pk", flat=True))

    def listed(paged: bool) -> QuerySet:
        # The queues are defined once, in gridwork.cases.queues (the API serves the same ones).
        found = queues.queue(user, tab, now, paged=paged)
        if status:
            found = found.filter(status=status)
        if category_code:
            found = found.filter(category_id__in=branch)
        return found

    def shown(found: QuerySet) -> QuerySet:
        return found.values(
            *QUEUE_ROW_FIELDS,
            category_zh=F("category__name_zh"),
            category_en=F("category__name_en"),
            grid_name=F("grid__name"),
        )

    ordered = listed(paged=True).order_by("step_deadline", "-created_at", "-id")
    page = paginate_by_key(
        request, ordered, shown, counted=listed(paged=False), count_up_to=QUEUE_COUNT_UP_TO
    )
    labels = dict(status_choices())
    language = get_language()
    rows = page.object_list
    earliest = min((c["step_started_at"] for c in rows if c["step_started_at"]), default=None)
    link = record_link("web:case")
    with calendar.one_read(timezone.localtime(earliest).date() if earliest else None):
        page.object_list = [
            {
                "pk": row["id"],
                "url": link(row["id"]),
                "title": row["title"],
                "tracking_code": row["tracking_code"],
                "status_label": labels.get(row["status"], row["status"]),
                "category_name": pick(row["category_zh"], row["category_en"], language),
                "grid_name": row["grid_name"],
                "step_deadline": row["step_deadline"],
                "due": timezone.localtime(row["step_deadline"]).strftime("%m-%d %H:%M")
                if row["step_deadline"]
                else "",
                "colour": calendar.time_status(QueueRow(row), now),
            }
            for row in rows
        ]
    return render(
        request,
        "web/cases/queue.html",
        {
            "tab": tab,
            "tabs": [("mine", _("Mine")), ("area", _("My area")), ("overdue", _("Overdue"))],
            "page": page,
            "status": status,
            "statuses": status_choices(),
            "category": category_code,
            "categories": category_choices(leaves_only=False),
            "may_report": _has_capability(user, CASES_REPORT),
        },
    )


def status_choices() -> list[tuple[str, str]]:
    """The statuses with their labels in the active language."""
    return list(choice_labels(Status).items())


class QueueRow:
    """A queue row as calendar.time_status reads a case (attributes, and whether it is open)."""

    def __init__(self, row: dict[str, Any]) -> None:
        self.__dict__.update(row)
        self.is_open = row["status"] in OPEN_STATUSES


# --- one case ------------------------------------------------------------------------------------


def _holder_label(case: Case) -> str:
    if case.holder_user_id:
        return str(case.holder_user)
    if case.holder_department:
        return case.holder_department
    return case.holder_area.name if case.holder_area_id else ""


def _actor_label(event: CaseEvent, case: Case) -> str:
    if event.actor_label == "system":
        return _("system")
    if event.actor_label:
        return event.actor_label
    # A report without an account: a resident or an Open311 client, never their name here.
    return Source(case.source).label if event.action == Action.REPORT else "–"


def _role_label(role: str) -> str:
    return str(Role(role).label) if role in Role.values else role


def _departments() -> list[str]:
    """The departments a case can go to: the categories' own and every one with a handler (a
    department can hold a role without being any category's default)."""
    named = set(Category.objects.exclude(department="").values_list("department", flat=True))
    staffed = RoleAssignment.objects.filter(role=Role.DEPARTMENT_HANDLER).exclude(department="")
    return sorted(named | set(staffed.values_list("department", flat=True)))


def _merge_candidates(user: Any, case: Case) -> list[Case]:
    if case.lon is None or case.lat is None:
        return []
    found = services.find_possible_duplicates(case.category, case.lon, case.lat, exclude_id=case.pk)
    ids = [c.pk for c in found]
    visible = Case.objects.visible_to(user).filter(pk__in=ids).in_bulk()
    return [visible[pk] for pk in ids if pk in visible]


def _action_forms(user: Any, case: Case) -> list[dict[str, Any]]:
    forms: list[dict[str, Any]] = []
    for action in services.allowed_actions(user, case):
        transition = machine.transition_for(case.status, action)
        forms.append(
            {
                "action": action,
                "label": ACTION_VERBS.get(action, Action(action).label),
                "needs_note": bool(transition and transition.needs_note),
                "on_site": action in ON_SITE_ACTIONS,
            }
        )
    return forms


DETAIL_SHAPE = ("category", "grid", "holder_area", "holder_user", "reporter", "merged_into")


@case_staff
@require_GET
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = services.get_visible_case(request.user, pk, queryset=Case.objects.select_related(*DETAIL_SHAPE))
    services.log_case_read(request.user, case)
    return _render_detail(request, case)


@case_staff
@second_factor_verified
@require_POST
def case_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """The case's text as written, for this one answer (audited); a reload masks it again."""
    case = services.get_visible_case(request.user, pk, queryset=Case.objects.select_related(*DETAIL_SHAPE))
    try:
        services.reveal_case(request.user, case.pk, request.POST.get("reason", ""))
    except ValidationError as exc:
        return _render_detail(request, case, reveal_errors=error_messages(exc), status=400)
    return _render_detail(request, case, revealed=True)


@requires(CASES_PUBLISH)
@require_POST
def case_publish(request: HttpRequest, pk: int) -> HttpResponse:
    """A moderator's text for the public board (Open311) in place of the resident's words."""
    case = services.get_visible_case(request.user, pk, queryset=Case.objects.select_related(*DETAIL_SHAPE))
    try:
        services.publish_public_text(request.user, case.pk, request.POST.get("public_text", ""))
    except ValidationError as exc:
        return _render_detail(request, case, publish_errors=error_messages(exc), status=400)
    messages.success(request, _("The public text is saved."))
    return redirect("web:case", pk=case.pk)


def _render_detail(
    request: HttpRequest,
    case: Case,
    *,
    revealed: bool = False,
    reveal_errors: list[str] | None = None,
    publish_errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    events = list(case.events.all())
    photos_by_event: dict[int | None, list[CasePhoto]] = {}
    for photo in case.photos.all():
        photos_by_event.setdefault(photo.event_id, []).append(photo)
    forms = _action_forms(user, case)
    actions = {form["action"] for form in forms}
    context: dict[str, Any] = {
        "case": case,
        "colour": calendar.time_status(case, timezone.now()),
        "holder": _holder_label(case),
        "timeline": [
            {
                "event": e,
                "who": _actor_label(e, case),
                "role": _role_label(e.actor_role),
                "status": Status(e.to_status).label if e.to_status in Status.values else "",
                "photos": photos_by_event.get(e.pk, []),
            }
            for e in events
        ],
        "photo_count": sum(len(p) for p in photos_by_event.values()),
        "forms": forms,
        "tracks": Track.choices,
        "units": TimeUnit.choices,
        "revealed": revealed,
        "may_reveal": services.may_reveal_case(user, case),
        "reveal_errors": reveal_errors or [],
        "may_publish": services.may_publish(user, case),
        "publish_errors": publish_errors or [],
        "public_text_max": services.PUBLIC_TEXT_MAX,
    }
    if Action.DISPATCH in actions:
        context["departments"] = _departments()
    if Action.ACCEPT in actions:
        context["categories"] = category_choices(leaves_only=True)
    if Action.MERGE in actions:
        context["merge_candidates"] = _merge_candidates(user, case)
    merged_into = case.merged_into
    if merged_into is not None and not Case.objects.visible_to(user).filter(pk=merged_into.pk).exists():
        merged_into = None
    context["merged_into"] = merged_into
    response = render(request, "web/cases/detail.html", context, status=status)
    if revealed:
        response["Cache-Control"] = "no-store"
    return response


@case_staff
@require_POST
def case_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user = request.user
    case = services.get_visible_case(user, pk)  # 404 outside scope, before anything else
    if request_too_large(request, photos=3):
        messages.error(request, _("The upload is too large."))
        return redirect("web:case", pk=case.pk)
    if action not in Action.values:
        raise Http404
    post = request.POST
    params = {
        name: post[name].strip()
        for name in services.ACTION_PARAMS.get(action, frozenset())
        if (post.get(name) or "").strip()
    }
    try:
        version = int(post["version"]) if post.get("version") else None
    except ValueError:
        version = None
    lon, lat = parse_point(post)
    try:
        services.act(
            user,
            case.pk,
            action,
            note=post.get("note", "")[:2000],
            lon=lon,
            lat=lat,
            photos=request.FILES.getlist("photos"),
            expected_version=version,
            **params,
        )
    except (TransitionNotAllowed, StaleCase, PermissionDenied) as exc:
        messages.error(request, str(exc) or _("This action is not allowed."))
    except ValidationError as exc:
        for message in error_messages(exc):
            messages.error(request, message)
    else:
        messages.success(request, _("Done: %(action)s.") % {"action": Action(action).label})
    return redirect("web:case", pk=case.pk)


@case_staff
@require_GET
def case_photo(request: HttpRequest, pk: int, photo_pk: int) -> HttpResponse:
    case = services.get_visible_case(request.user, pk)
    photo = CasePhoto.objects.filter(case=case, pk=photo_pk).first()
    if photo is None:
        raise Http404
    # The type recorded when the bytes were checked (JPEG, PNG or WebP), never one guessed from
    # the content; nosniff keeps browsers from guessing either. Cache-Control is no-store, as for
    # every answer to a signed-in user (gridwork.core.http_security).
    response = FileResponse(photo.file.open("rb"), content_type=photo.content_type)
    response["Content-Disposition"] = f'inline; filename="photo-{photo.pk}.{photo.extension}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response

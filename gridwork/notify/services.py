"""The only code that writes notifications, webhook subscriptions and deliveries.

Case events arrive after the case's own transaction has committed (gridwork.cases.signals);
`record_case_event` writes the inbox entries and the webhook deliveries in a transaction of its
own and, after that commits, hands the sending (email, SMS, webhook POSTs) to background tasks.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gridwork.accounts.access import CASES_CONFIGURE, scope_codes
from gridwork.accounts.models import User
from gridwork.accounts.permissions import require
from gridwork.areas.models import Area
from gridwork.cases.models import Action, Case, CaseEvent, Status
from gridwork.core import audit
from gridwork.core.errors import NotFound
from gridwork.core.models import AuditEvent
from gridwork.core.scoping import prefix_q
from gridwork.core.system import SYSTEM
from gridwork.notify import messages, senders, webhooks
from gridwork.notify.models import (
    DeliveryStatus,
    Kind,
    Notification,
    WebhookDelivery,
    WebhookSubscription,
)
from gridwork.notify.recipients import recipients_for

log = logging.getLogger("gridwork.notify")

# Waits after the 1st, 2nd, 3rd and 4th failed attempt; the 5th failure is final.
RETRY_DELAYS = (
    dt.timedelta(minutes=1),
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=30),
    dt.timedelta(hours=2),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
LOST_AFTER = dt.timedelta(minutes=10)
# Closing transitions after which the resident who reported hears the result.
CLOSING_ACTIONS = frozenset({Action.RESOLVE, Action.FEEDBACK, Action.PUBLISH})


# --- case events ---------------------------------------------------------------------------------


@dataclass
class Recorded:
    """What recording one timeline entry made, and what is then to be sent (by the tasks)."""

    notes: list[Notification] = field(default_factory=list)
    deliveries: list[WebhookDelivery] = field(default_factory=list)
    notes_to_send: list[int] = field(default_factory=list)  # recipients with an email or phone
    resident_message: str = ""  # "accepted" / "closed": an SMS to the resident who reported
    case_id: int = 0
    event_id: int = 0


def record_case_event(case_id: int, event_id: int, *, event: CaseEvent | None = None) -> Recorded:
    """Inbox entries and webhook deliveries for one timeline entry (sending is the tasks' work).

    `event`: the entry (with its case) as the cases service has just committed it, which spares
    reading it back; without it, or if it is not that entry, it is read.
    Idempotent: a second call for the same entry adds nothing.
    """
    with transaction.atomic():
        if event is None or event.pk != event_id or event.case_id != case_id:
            event = CaseEvent.objects.select_related("case", "case__category").filter(pk=event_id).first()
        if event is None or event.case_id != case_id:
            return Recorded()
        case = event.case
        kind, people = recipients_for(case, event)
        title, body = messages.notification_text(case, event, kind) if people else ("", "")
        already = set(
            Notification.objects.filter(event=event, recipient_id__in=people).values_list(
                "recipient_id", flat=True
            )
        )
        notes = [
            Notification.objects.create(
                recipient_id=user_id, case=case, event=event, kind=kind, title=title, body=body
            )
            for user_id in sorted(people - already)
        ]
        deliveries = []
        payload: dict[str, Any] | None = None
        for subscription in WebhookSubscription.objects.filter(active=True):
            if not subscription.wants(event.action, case.grid_id):
                continue
            if WebhookDelivery.objects.filter(subscription=subscription, event=event).exists():
                continue
            payload = payload or webhooks.event_payload(case, event)
            deliveries.append(
                WebhookDelivery.objects.create(
                    subscription=subscription,
                    event=event,
                    action=event.action,
                    payload=payload,
                    next_attempt_at=timezone.now(),
                )
            )
        reachable = _with_channel({note.recipient_id for note in notes})
        return Recorded(
            notes=notes,
            deliveries=deliveries,
            notes_to_send=[note.pk for note in notes if note.recipient_id in reachable],
            resident_message=_resident_message_kind(case, event),
            case_id=case.pk,
            event_id=event.pk,
        )


def notify_people(user_ids: set[int], title: str, body: str = "", *, kind: str = Kind.FIELDWORK) -> int:
    """Inbox entries about something other than a case (field work), for other apps' services to
    call after their own transaction has committed (in-app only: no email or SMS for these).
    Returns how many were written."""
    active = set(User.objects.filter(pk__in=set(user_ids), is_active=True).values_list("pk", flat=True))
    with transaction.atomic():
        notes = Notification.objects.bulk_create(
            [
                Notification(recipient_id=uid, kind=kind, title=title[:200], body=body)
                for uid in sorted(active)
            ]
        )
    return len(notes)


def _with_channel(user_ids: set[int]) -> set[int]:
    """Those of the users who are active and have an email address or a phone (one query)."""
    if not user_ids:
        return set()
    reachable = User.objects.filter(pk__in=user_ids, is_active=True).filter(~Q(email="") | ~Q(phone=""))
    return set(reachable.values_list("pk", flat=True))


def _resident_message_kind(case: Case, event: CaseEvent) -> str:
    if not case.reporter_phone:
        return ""
    if event.action == Action.ACCEPT:
        return "accepted"
    if event.action in CLOSING_ACTIONS and event.to_status == Status.CLOSED:
        return "closed"
    return ""


# --- sending -------------------------------------------------------------------------------------


def send_notification(notification_id: int) -> dict[str, bool]:
    """Send one notification by email and SMS where its recipient has an address, once each."""
    with transaction.atomic():
        note = (
            Notification.objects.select_for_update(of=("self",))
            .select_related("recipient")
            .filter(pk=notification_id)
            .first()
        )
        if note is None or not note.recipient.is_active:
            return {"email": False, "sms": False}
        user = note.recipient
        sent = {"email": False, "sms": False}
        now = timezone.now()
        # A sender that raises leaves its channel unmarked, and the task fails for the worker's log.
        if user.email and note.emailed_at is None:
            senders.email_sender()(user.email, note.title, note.body)
            note.emailed_at, sent["email"] = now, True
        if user.phone and note.texted_at is None:
            senders.sms_sender()(user.phone, f"{note.title}: {note.body}")
            note.texted_at, sent["sms"] = now, True
        note.save(update_fields=["emailed_at", "texted_at"])
    return sent


def message_resident(case_id: int, event_id: int, which: str) -> bool:
    """Tell the resident who reported (by SMS to the case's contact phone) that the case was accepted
    or closed; the audit log records that it was sent, never the number."""
    case = Case.objects.filter(pk=case_id).first()
    if case is None or not case.reporter_phone:
        return False
    text = messages.resident_closed_text(case) if which == "closed" else messages.resident_accepted_text(case)
    senders.sms_sender()(case.reporter_phone, text)
    with transaction.atomic():
        audit.log(
            AuditEvent.Action.UPDATE,
            SYSTEM,
            obj=case,
            detail={"notify": "resident_sms", "message": which, "event": event_id},
        )
    return True


# --- the inbox -----------------------------------------------------------------------------------


def _own(user: Any, notification_id: Any, *, lock: bool = False) -> Notification:
    qs = Notification.objects.for_user(user)
    if lock:
        qs = qs.select_for_update()
    try:
        note = qs.filter(pk=int(notification_id)).first()
    except (TypeError, ValueError):
        note = None
    if note is None:
        raise NotFound(Notification._meta.verbose_name)
    return note


def get_notification(user: Any, notification_id: Any) -> Notification:
    return _own(user, notification_id)


def mark_read(user: Any, notification_id: Any) -> Notification:
    """Mark one of the user's own notifications read; another's answers NotFound."""
    with transaction.atomic():
        note = _own(user, notification_id, lock=True)
        if note.read_at is None:
            note.read_at = timezone.now()
            note.save(update_fields=["read_at"])
    return note


def mark_all_read(user: Any) -> int:
    with transaction.atomic():
        ids = list(
            Notification.objects.for_user(user).unread().select_for_update().values_list("pk", flat=True)
        )
        return Notification.objects.filter(pk__in=ids).update(read_at=timezone.now())


# --- webhook subscriptions -----------------------------------------------------------------------


def visible_subscriptions(user: Any) -> QuerySet[WebhookSubscription]:
    """Subscriptions of the areas where the user configures cases (district staff)."""
    codes = scope_codes(user, CASES_CONFIGURE)
    if not codes:
        return WebhookSubscription.objects.none()
    return WebhookSubscription.objects.filter(prefix_q("area__code", codes))


def _clean_actions(actions: Any) -> list[str]:
    if actions is None:
        return []
    if isinstance(actions, str) or not all(isinstance(a, str) for a in actions):
        raise ValidationError({"actions": [_("Give a list of case actions.")]})
    unknown = sorted(set(actions) - set(Action.values))
    if unknown:
        raise ValidationError({"actions": [_("Unknown action: %(names)s") % {"names": ", ".join(unknown)}]})
    return sorted(set(actions))


def create_subscription(
    actor: Any, *, name: str, url: str, area: str, actions: Any = None
) -> WebhookSubscription:
    """Subscribe a system to the case events of an area; the returned object carries the secret."""
    name = (name or "").strip()
    errors: dict[str, list[str]] = {}
    if not name or len(name) > 100:
        errors["name"] = [_("Give a name of at most 100 characters.")]
    try:
        url = webhooks.validate_webhook_url(url)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        clean_actions = _clean_actions(actions)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    require(actor, CASES_CONFIGURE, area)
    # An area code under one's own that names no area would pass the scope check and fail only at
    # the commit (a foreign key to nothing): a 500 instead of a clear answer.
    if not Area.objects.filter(code=area).exists():
        raise ValidationError({"area": [_("No such record in your area.")]})
    with transaction.atomic():
        subscription = WebhookSubscription.objects.create(
            name=name,
            url=url,
            secret=secrets.token_urlsafe(32),
            area_id=area,
            actions=clean_actions,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        audit.log(
            AuditEvent.Action.CREATE,
            actor,
            obj=subscription,
            area_code=area,
            detail={"url": url, "actions": clean_actions},
        )
    return subscription


def get_subscription(actor: Any, subscription_id: Any, *, lock: bool = False) -> WebhookSubscription:
    qs = visible_subscriptions(actor)
    if lock:
        qs = qs.select_for_update()
    try:
        found = qs.filter(pk=int(subscription_id)).first()
    except (TypeError, ValueError):
        found = None
    if found is None:
        raise NotFound(WebhookSubscription._meta.verbose_name)
    return found


def set_subscription_active(actor: Any, subscription_id: Any, active: bool) -> WebhookSubscription:
    with transaction.atomic():
        subscription = get_subscription(actor, subscription_id, lock=True)
        require(actor, CASES_CONFIGURE, subscription.area_id)
        if subscription.active != active:
            subscription.active = active
            subscription.save(update_fields=["active"])
            audit.log(AuditEvent.Action.UPDATE, actor, obj=subscription, detail={"active": active})
    return subscription


# --- webhook deliveries --------------------------------------------------------------------------


def attempt_delivery(delivery_id: int, *, now: dt.datetime | None = None) -> WebhookDelivery | None:
    """One attempt to POST a delivery; on failure set the next (backoff: `retry_at` on the returned
    delivery, for the task to queue) or mark it failed.

    The row is claimed under lock (the next attempt moved out of reach) so two workers do not send
    the same attempt; the HTTP request itself runs outside any transaction.
    """
    now = now or timezone.now()
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(of=("self",))
            .select_related("subscription")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None or delivery.status != DeliveryStatus.PENDING:
            return delivery
        if delivery.next_attempt_at and delivery.next_attempt_at > now:
            return delivery  # not due yet (a duplicate task, or one woken early)
        subscription = delivery.subscription
        if not subscription.active:
            delivery.status, delivery.last_error = DeliveryStatus.FAILED, "subscription inactive"
            delivery.next_attempt_at = None
            delivery.save(update_fields=["status", "last_error", "next_attempt_at"])
            return delivery
        delivery.attempts += 1
        attempt = delivery.attempts
        delivery.next_attempt_at = now + RETRY_DELAYS[min(attempt, len(RETRY_DELAYS)) - 1]
        delivery.save(update_fields=["attempts", "next_attempt_at"])

    result = webhooks.post(
        subscription.url, subscription.secret, delivery.action, delivery.pk, delivery.payload
    )

    with transaction.atomic():
        delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery_id)
        delivery.last_response_code, delivery.last_error = result.status, result.error
        retry_at = None
        if result.ok:
            delivery.status, delivery.delivered_at, delivery.next_attempt_at = (
                DeliveryStatus.DELIVERED,
                timezone.now(),
                None,
            )
        elif attempt >= MAX_ATTEMPTS:
            delivery.status, delivery.next_attempt_at = DeliveryStatus.FAILED, None
            log.warning(
                "webhook delivery %s failed after %s attempts: %s", delivery.pk, attempt, result.error
            )
        else:
            delivery.next_attempt_at = retry_at = now + RETRY_DELAYS[attempt - 1]
        delivery.save()
    delivery.retry_at = retry_at
    return delivery


def lost_deliveries(now: dt.datetime | None = None) -> list[int]:
    """The pending deliveries long past due: their retry task was lost (a worker stopped between the
    commit and the queueing). Queued again, a duplicate is harmless: attempts claim the row first."""
    now = now or timezone.now()
    return list(
        WebhookDelivery.objects.filter(
            status=DeliveryStatus.PENDING, next_attempt_at__lte=now - LOST_AFTER
        ).values_list("pk", flat=True)
    )


def forbid_unless_configurer(user: Any) -> None:
    if not scope_codes(user, CASES_CONFIGURE):
        raise PermissionDenied(_("Only district staff manage webhooks."))

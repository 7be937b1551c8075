"""The inbox and webhook subscriptions over the API.

A user reads only their own notifications (another's answers 404). Webhook subscriptions are
managed by district staff (capability cases.configure) for their areas.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from gridwork.core.bounds import ID_IN_PATH, InputSchema, RecordId
from gridwork.core.routers import CappedLimitOffset
from gridwork.notify import services
from gridwork.notify.models import Notification

router = Router(tags=["notifications"])


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    case_id: int | None
    tracking_code: str | None
    read_at: datetime | None
    created_at: datetime

    @staticmethod
    def resolve_tracking_code(obj: Notification) -> str | None:
        return obj.case.tracking_code if obj.case_id else None


class SubscriptionIn(InputSchema):
    name: str = Field(max_length=100)
    url: str = Field(max_length=500)
    area: str = Field(max_length=15, description="the area whose case events are sent")
    actions: list[str] = Field(default_factory=list, description="case actions to send; empty: all")


class SubscriptionOut(Schema):
    id: int
    name: str
    url: str
    area: str
    actions: list[str]
    active: bool
    created_at: datetime

    @staticmethod
    def resolve_area(obj: Any) -> str:
        return obj.area_id


class SubscriptionCreatedOut(SubscriptionOut):
    secret: str = Field(description="the HMAC key; shown only now")


class SubscriptionActiveIn(InputSchema):
    active: bool


class DeliveryOut(Schema):
    id: int
    action: str
    status: str
    attempts: int
    next_attempt_at: datetime | None
    last_response_code: int | None
    last_error: str
    created_at: datetime
    delivered_at: datetime | None


@router.get("/inbox", response=list[NotificationOut], summary="My notifications, newest first")
@paginate(CappedLimitOffset)
def inbox(request: HttpRequest, unread: bool = False) -> Any:
    notes = Notification.objects.for_user(request.user).select_related("case")
    return notes.unread() if unread else notes


@router.post("/inbox/{notification_id}/read", response=NotificationOut, summary="Mark a notification read")
def mark_read(request: HttpRequest, notification_id: RecordId) -> Any:
    services.mark_read(request.user, notification_id)
    return Notification.objects.select_related("case").get(pk=notification_id)


@router.get("/webhooks", response=list[SubscriptionOut], summary="Webhook subscriptions of my areas")
def list_webhooks(request: HttpRequest) -> Any:
    services.forbid_unless_configurer(request.user)
    return services.visible_subscriptions(request.user)


@router.post("/webhooks", response={201: SubscriptionCreatedOut}, summary="Subscribe a system to case events")
def create_webhook(request: HttpRequest, payload: SubscriptionIn) -> Any:
    services.forbid_unless_configurer(request.user)
    subscription = services.create_subscription(
        request.user, name=payload.name, url=payload.url, area=payload.area, actions=payload.actions
    )
    return 201, subscription


@router.patch(
    "/webhooks/{subscription_id}", response=SubscriptionOut, summary="Pause or resume a subscription"
)
def set_webhook_active(request: HttpRequest, subscription_id: RecordId, payload: SubscriptionActiveIn) -> Any:
    return services.set_subscription_active(request.user, subscription_id, payload.active)


@router.get(
    "/webhooks/{subscription_id}/deliveries",
    response=list[DeliveryOut],
    summary="Recent deliveries of a subscription",
)
@paginate(CappedLimitOffset)
def webhook_deliveries(request: HttpRequest, subscription_id: int = ID_IN_PATH) -> Any:
    return services.get_subscription(request.user, subscription_id).deliveries.all()

"""Request and response shapes of the cases API. The reporter's contact only ever leaves masked."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema

from gridwork.cases.models import Action, Case, CaseEvent, Status
from gridwork.core.bounds import MAX_COUNT, MAX_ID, InputSchema, RecordId
from gridwork.core.masking import mask_free_text


class CaseReportIn(InputSchema):
    """A new case: a category leaf, where it is (a point, a building or a person) and what it is."""

    category: str = Field(..., max_length=20, description="leaf category code, e.g. E0104")
    title: str = Field(..., max_length=200)
    description: str = Field("", max_length=5000)
    source: str = Field("patrol", description="patrol, visit, memo, resident, hotline, open311, import")
    track: str | None = Field(None, description="routine, coordination, emergency, approval (staff only)")
    lon: float | None = Field(None, ge=-180, le=180)
    lat: float | None = Field(None, ge=-90, le=90)
    building_id: RecordId | None = None
    person_id: RecordId | None = None
    address: str = Field("", max_length=200)
    reporter_name: str = Field("", max_length=50)
    reporter_phone: str = Field("", max_length=20)
    note: str = Field("", max_length=2000)


class CaseActionIn(InputSchema):
    """One transition. Only the parameters the action takes may be given (see INTERFACE.md)."""

    note: str = Field("", max_length=2000, description="what was done; the reason where one is required")
    lon: float | None = Field(None, ge=-180, le=180)
    lat: float | None = Field(None, ge=-90, le=90)
    expected_version: int | None = Field(
        None, ge=0, le=MAX_ID, description="the version the caller saw; 409 if it moved on"
    )
    department: str | None = Field(None, max_length=100, description="dispatch: the department")
    track: str | None = Field(None, description="accept: the track")
    category: str | None = Field(None, max_length=20, description="accept: a corrected category code")
    into: RecordId | None = Field(None, description="merge: the case this one duplicates")
    amount: int | None = Field(None, ge=1, le=MAX_COUNT, description="extend: how much more time")
    unit: str | None = Field(None, description="extend: hours or days (working time)")

    def params(self) -> dict[str, Any]:
        names = ("department", "track", "category", "into", "amount", "unit")
        return {name: getattr(self, name) for name in names if getattr(self, name) is not None}


class CategoryOut(Schema):
    code: str
    name: str
    default_track: str
    department: str
    children: list[CategoryOut] = []


class PhotoOut(Schema):
    id: int
    content_type: str
    size: int


class CaseEventOut(Schema):
    id: int
    action: str
    action_label: str
    actor: str = Field(..., alias="actor_label")
    actor_role: str
    at: dt.datetime
    lon: float | None
    lat: float | None
    note: str
    from_status: str
    to_status: str
    department: str
    detail: dict
    photos: list[PhotoOut]

    @staticmethod
    def resolve_action_label(obj: CaseEvent) -> str:
        return str(Action(obj.action).label)

    @staticmethod
    def resolve_note(obj: CaseEvent) -> str:
        return mask_free_text(obj.note)

    @staticmethod
    def resolve_photos(obj: CaseEvent) -> list[Any]:
        return list(obj.photos.all())


class CaseOut(Schema):
    id: int
    tracking_code: str
    category: str
    category_name: str
    track: str
    status: str
    status_label: str
    source: str
    title: str
    address: str
    lon: float | None
    lat: float | None
    grid: str
    holder: str
    holder_department: str
    step_deadline: dt.datetime | None
    deadline: dt.datetime | None
    time_status: str = Field(..., description="green, yellow, red, or empty when no clock runs")
    overdue: bool
    escalation_level: int
    version: int
    rating: int | None
    created_at: dt.datetime
    updated_at: dt.datetime
    closed_at: dt.datetime | None

    @staticmethod
    def resolve_title(obj: Case) -> str:
        return mask_free_text(obj.title)

    @staticmethod
    def resolve_address(obj: Case) -> str:
        return mask_free_text(obj.address)

    @staticmethod
    def resolve_category(obj: Case) -> str:
        return obj.category.code

    @staticmethod
    def resolve_category_name(obj: Case) -> str:
        return obj.category.name

    @staticmethod
    def resolve_status_label(obj: Case) -> str:
        return str(Status(obj.status).label)

    @staticmethod
    def resolve_grid(obj: Case) -> str:
        return obj.grid_id

    @staticmethod
    def resolve_holder(obj: Case) -> str:
        return obj.holder_key

    @staticmethod
    def resolve_time_status(obj: Case) -> str:
        # Set by the endpoint, which reads the work calendar once for a whole page.
        return getattr(obj, "time_status_now", "")


class CaseDetailOut(CaseOut):
    description: str
    reporter_name_masked: str
    reporter_phone_masked: str
    merged_into: int | None = Field(None, alias="merged_into_id")
    building_id: int | None
    person_id: int | None
    allowed_actions: list[str]
    timeline: list[CaseEventOut]

    @staticmethod
    def resolve_description(obj: Case) -> str:
        return mask_free_text(obj.description)

    @staticmethod
    def resolve_allowed_actions(obj: Case) -> list[str]:
        return getattr(obj, "allowed_actions_now", [])

    @staticmethod
    def resolve_timeline(obj: Case) -> list[Any]:
        return list(obj.events.all())


class CasePublicTextIn(InputSchema):
    text: str = Field(..., max_length=500, description="what the public board may say; empty takes it back")


class CasePublicTextOut(Schema):
    id: int
    public_text: str
    public_text_at: dt.datetime | None


class CaseRevealIn(InputSchema):
    reason: str = Field(..., min_length=4, max_length=300, description="why the full text is needed")


class CaseNoteOut(Schema):
    event_id: int
    note: str


class CaseRevealOut(Schema):
    """The case's free text as written (audited): what CaseDetailOut shows masked."""

    id: int
    title: str
    description: str
    address: str
    rating_comment: str
    notes: list[CaseNoteOut]


class CasePage(Schema):
    items: list[CaseOut]
    count: int = Field(..., description="how many cases match, counted up to 1,000")
    more: bool = Field(..., description="true when more than `count` cases match")


class IndicatorsOut(Schema):
    area: str | None
    department: str | None
    user: int | None
    start: dt.datetime
    end: dt.datetime
    cases: int
    closed: int
    closure_rate: float | None
    on_time_closed: int
    on_time_rate: float | None
    reworked: int
    rework_rate: float | None
    overdue: int
    avg_handling_hours: float | None
    satisfaction: float | None
    rated: int


# --- residents without an account ---------------------------------------------------------------


class PublicReportIn(InputSchema):
    category: str = Field(..., max_length=20)
    description: str = Field(..., min_length=1, max_length=5000)
    title: str = Field("", max_length=200)
    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)
    address: str = Field("", max_length=200)
    name: str = Field(..., min_length=1, max_length=50, description="contact name (never shown)")
    phone: str = Field(..., min_length=1, max_length=20, description="contact phone (never shown)")


class PublicReportOut(Schema):
    tracking_code: str
    status: str
    status_label: str


class PublicTimelineEntry(Schema):
    action: str
    action_label: str
    status: str
    status_label: str
    at: dt.datetime
    note: str


class PublicCaseOut(Schema):
    tracking_code: str
    category: str
    category_name: str
    status: str
    status_label: str
    created_at: dt.datetime
    closed_at: dt.datetime | None
    rating: int | None
    can_rate: bool
    timeline: list[PublicTimelineEntry]


class RatingIn(InputSchema):
    rating: int = Field(..., ge=1, le=5)
    comment: str = Field("", max_length=500)

"""The auditor's home page: unusual reading, and the break-the-glass grants.

Unusual reading: one user opening at least settings.AUDIT_ALERT_RECORDS distinct personal records
(people, households, cases; reveals count as openings) within settings.AUDIT_ALERT_MINUTES,
looked for over the last settings.AUDIT_ALERT_LOOKBACK_HOURS, from the audit log's read entries.

Exact without reading every entry: an hour (or day) bucket is at least as long as the window, so
a window with T openings overlaps at most two buckets and one of them holds at least T/2 entries.
The database counts entries per user and bucket; only the users with such a bucket have their
entries around it read and slid over in Python.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter, deque
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Count, QuerySet
from django.db.models.functions import TruncDay, TruncHour
from django.urls import reverse
from django.utils import timezone

from gridwork.accounts.access import AUDIT_VIEW, scope_codes
from gridwork.accounts.models import GlassBreak
from gridwork.core.models import AuditEvent
from gridwork.core.scoping import prefix_q
from gridwork.web.audit_scope import audit_events_visible_to

READ_KINDS = (AuditEvent.Action.READ, AuditEvent.Action.REVEAL)
PERSONAL_TYPES = ("registry.person", "registry.household", "cases.case")


@dataclass
class ReadingAlert:
    actor: str
    first: dt.datetime
    last: dt.datetime
    records: int

    @property
    def log_url(self) -> str:
        query = {
            "actor": self.actor,
            "since": timezone.localtime(self.first).strftime("%Y-%m-%dT%H:%M:%S"),
            # To the second after the last one: the filter's times have no fractions of a second.
            "until": timezone.localtime(self.last + dt.timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%S"),
        }
        return f"{reverse('web:audit')}?{urlencode(query)}"


def _reads(user: Any, since: dt.datetime) -> QuerySet[AuditEvent]:
    return audit_events_visible_to(user).filter(
        at__gte=since, action__in=READ_KINDS, object_type__in=PERSONAL_TYPES, actor_label__gt=""
    )


def _peak(entries: list[tuple[dt.datetime, str, str]], window: dt.timedelta) -> tuple[int, int, int]:
    """The most distinct records opened within one window: (count, index of first, index of last)."""
    best = (0, 0, 0)
    inside: deque[int] = deque()
    seen: Counter[tuple[str, str]] = Counter()
    for i, (at, object_type, object_id) in enumerate(entries):
        inside.append(i)
        seen[(object_type, object_id)] += 1
        while entries[inside[0]][0] <= at - window:
            old = entries[inside.popleft()]
            key = (old[1], old[2])
            seen[key] -= 1
            if not seen[key]:
                del seen[key]
        if len(seen) > best[0]:
            best = (len(seen), inside[0], i)
    return best


def unusual_reading(user: Any, now: dt.datetime | None = None) -> list[ReadingAlert]:
    now = now or timezone.now()
    threshold = settings.AUDIT_ALERT_RECORDS
    window = dt.timedelta(minutes=settings.AUDIT_ALERT_MINUTES)
    since = now - dt.timedelta(hours=settings.AUDIT_ALERT_LOOKBACK_HOURS)
    bucket, size = (
        (TruncHour, dt.timedelta(hours=1))
        if window <= dt.timedelta(hours=1)
        else (TruncDay, dt.timedelta(days=1))
    )
    reads = _reads(user, since)
    busy = (
        reads.annotate(bucket=bucket("at", tzinfo=dt.UTC))
        .values("actor_label", "bucket")
        .annotate(n=Count("id"))
        .filter(n__gte=math.ceil(threshold / 2))
        .order_by()
    )
    alerts = []
    by_actor: dict[str, list[dt.datetime]] = {}
    for row in busy:
        by_actor.setdefault(row["actor_label"], []).append(row["bucket"])
    for actor, buckets in sorted(by_actor.items()):
        start, end = min(buckets) - window, max(buckets) + size + window
        entries = list(
            reads.filter(actor_label=actor, at__gte=start, at__lt=end)
            .order_by("at", "id")
            .values_list("at", "object_type", "object_id")
        )
        count, first, last = _peak(entries, window)
        if count >= threshold:
            alerts.append(ReadingAlert(actor, entries[first][0], entries[last][0], count))
    return sorted(alerts, key=lambda a: a.last, reverse=True)


def glass_grants(user: Any, now: dt.datetime | None = None) -> QuerySet[GlassBreak]:
    """Grants in the auditor's areas that are running or began within the lookback."""
    now = now or timezone.now()
    query = prefix_q("area_code", scope_codes(user, AUDIT_VIEW))
    if query is None:
        return GlassBreak.objects.none()
    since = now - dt.timedelta(hours=settings.AUDIT_ALERT_LOOKBACK_HOURS)
    return (
        GlassBreak.objects.filter(query)
        .filter(until__gt=since)
        .select_related("user")
        .order_by("-opened_at", "-id")[:100]
    )

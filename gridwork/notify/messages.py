"""The words of notifications and of the messages to residents.

They name a case by its tracking code, category and status, never by a person: they leave the
system by email, SMS and webhooks. Written in the site's default language.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from gridwork.cases.models import Case, CaseEvent, Status
from gridwork.notify.models import Kind


def _titles() -> dict[str, str]:
    return {
        Kind.ASSIGNED: _("Case %(code)s needs your action"),
        Kind.VERIFY: _("Case %(code)s awaits your verification on site"),
        Kind.EMERGENCY: _("Emergency: case %(code)s"),
        Kind.OVERDUE: _("Case %(code)s is overdue"),
        Kind.ESCALATED: _("Case %(code)s was escalated to your level"),
    }


def notification_text(case: Case, event: CaseEvent, kind: str) -> tuple[str, str]:
    with translation.override(settings.LANGUAGE_CODE):
        title = _titles()[kind] % {"code": case.tracking_code}
        parts = [
            f"{case.category.code} {case.category.name}",
            Status(case.status).label,
        ]
        if case.step_deadline:
            deadline = timezone.localtime(case.step_deadline).strftime("%Y-%m-%d %H:%M")
            parts.append(_("step deadline %(deadline)s") % {"deadline": deadline})
        return title[:200], " · ".join(str(part) for part in parts)


def inbox_text(kind: str, case: Case | None, status: str) -> dict[str, str] | None:
    """A notification as its reader's inbox shows it, in the active language: the stored title and
    text are in the site's language for email and SMS; the inbox reads them again from the case.
    None for a notification without a case (shown as stored)."""
    if case is None or kind not in _titles():
        return None
    return {
        "title": _titles()[kind] % {"code": case.tracking_code},
        "category_code": case.category.code,
        "category": case.category.name,
        "status": Status(status).label if status in Status.values else status,
    }


def tracking_link(case: Case) -> str:
    return settings.NOTIFY_TRACKING_URL.replace("{code}", case.tracking_code)


def resident_accepted_text(case: Case) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return _("Your report %(code)s has been accepted. Follow it at %(link)s") % {
            "code": case.tracking_code,
            "link": tracking_link(case),
        }


def resident_closed_text(case: Case) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return _("Your report %(code)s has been resolved. See the result and rate it at %(link)s") % {
            "code": case.tracking_code,
            "link": tracking_link(case),
        }

"""Photos attached to case actions: real JPEG, PNG or WebP images (by magic bytes), of limited size."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from gridwork.cases.models import Case, CaseEvent, CasePhoto

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
MAX_PHOTOS = 9


@dataclass(frozen=True)
class CheckedPhoto:
    content: bytes
    content_type: str
    extension: str


def max_bytes() -> int:
    return int(getattr(settings, "CASES_PHOTO_MAX_BYTES", DEFAULT_MAX_BYTES))


def sniff(head: bytes) -> tuple[str, str] | None:
    """(content type, extension) of an image from its first bytes, or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg", "jpg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png", "png"
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp", "webp"
    return None


def _read(photo: Any, limit: int) -> bytes:
    if isinstance(photo, tuple):
        photo = photo[1]
    if isinstance(photo, bytes | bytearray):
        return bytes(photo[: limit + 1])
    if not hasattr(photo, "read"):
        raise ValidationError({"photos": [_("A photo must be an uploaded file.")]})
    if hasattr(photo, "seek"):
        photo.seek(0)
    # Read one byte past the limit, so an oversized upload is never read whole into memory.
    return photo.read(limit + 1)


def check_photos(photos: Any) -> list[CheckedPhoto]:
    """Validate every photo before anything is written; raise ValidationError({"photos": [...]})."""
    photos = list(photos or ())
    if len(photos) > MAX_PHOTOS:
        raise ValidationError({"photos": [_("At most %(n)d photos at a time.") % {"n": MAX_PHOTOS}]})
    limit = max_bytes()
    checked: list[CheckedPhoto] = []
    for number, photo in enumerate(photos, start=1):
        content = _read(photo, limit)
        if len(content) > limit:
            raise ValidationError(
                {
                    "photos": [
                        _("Photo %(n)d is larger than %(mb).1f MB.")
                        % {"n": number, "mb": limit / 1024 / 1024}
                    ]
                }
            )
        kind = sniff(content[:16])
        if kind is None or len(content) < 16:
            raise ValidationError(
                {"photos": [_("Photo %(n)d is not a JPEG, PNG or WebP image.") % {"n": number}]}
            )
        checked.append(CheckedPhoto(content, kind[0], kind[1]))
    return checked


def save_photos(
    case: Case, event: CaseEvent, photos: list[CheckedPhoto], actor: Any, saved: list[CasePhoto]
) -> None:
    """Store checked photos, appending each to `saved` as soon as its file exists, so the caller can
    delete the files again if its transaction fails."""
    uploader = actor if getattr(actor, "is_authenticated", False) else None
    for photo in photos:
        record = CasePhoto(
            case=case,
            event=event,
            token=secrets.token_hex(16),
            extension=photo.extension,
            content_type=photo.content_type,
            size=len(photo.content),
            uploaded_by=uploader,
        )
        record.file.save("photo", ContentFile(photo.content), save=False)
        saved.append(record)
        record.save()


def discard_files(records: list[CasePhoto]) -> None:
    for record in records:
        if record.file.name:
            record.file.storage.delete(record.file.name)

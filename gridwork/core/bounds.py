"""The edges of every number and body a caller sends: ids, offsets, page numbers, JSON objects.

A number past what the database holds (a 20-digit id, an offset of 2^63) made SQLite raise
OverflowError and PostgreSQL "bigint out of range": a 500. Every id, offset and count that comes
in is bounded here once, and the API's schemas say so (so clients and schemathesis know).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, ClassVar

from ninja import Field, Path, Schema
from ninja.schema import DjangoGetter
from pydantic import ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from gridwork.core.validators import has_control_characters

# The largest key a table holds: a signed 64-bit integer (bigint; SQLite's INTEGER).
MAX_ID = 2**63 - 1
# No list holds a billion rows; beyond it an offset is a mistake or a probe, not a page.
MAX_OFFSET = 1_000_000_000
# Counts and amounts a caller may send (floors, units, an extension's hours): a 32-bit integer.
MAX_COUNT = 2**31 - 1
# A PositiveSmallIntegerField (floors, units): PostgreSQL's smallint.
MAX_SMALL = 32767

# Days a caller may ask about: before 1900 the local time zone's offset is not a whole minute
# (Shanghai's mean solar time, +08:05:43), which no RFC 3339 date-time can carry.
EARLIEST_DATE = dt.date(1900, 1, 1)
LATEST_DATE = dt.date(2999, 12, 31)

RecordId = Annotated[int, Field(ge=1, le=MAX_ID, description="a record's id")]
# The same for a path parameter of a paginated operation: ninja reads such a function's annotations
# in its own module, where the name RecordId means nothing, so there the bound goes in the default.
ID_IN_PATH = Path(..., ge=1, le=MAX_ID, description="a record's id")


def parse_id(raw: Any) -> int | None:
    """A record id from a query string or form field, or None for anything that is not one."""
    text = str(raw if raw is not None else "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(MAX_ID)):
        return None
    value = int(text)
    return value if 1 <= value <= MAX_ID else None


class InputSchema(Schema):
    """The base of every JSON body the API reads: it must be an object.

    ninja reads a model from any value's attributes, so `[null,null]`, `null` or `5` as the body
    of a PATCH came through as a body that set nothing, and was answered 200.
    """

    @model_validator(mode="before")
    @classmethod
    def _body_is_an_object(cls, data: Any) -> Any:
        # ninja's own validator has wrapped the body in its attribute reader by now.
        body = data._obj if isinstance(data, DjangoGetter) else data
        if not isinstance(body, dict):
            raise PydanticCustomError("body_not_object", "the body must be a JSON object")
        return data

    # Text fields of several lines (tab and line breaks allowed); every other text is one line.
    multiline: ClassVar[frozenset[str]] = frozenset({"description", "note", "notes", "comment", "details"})

    @field_validator("*", mode="after")
    @classmethod
    def _no_control_characters(cls, value: Any, info: ValidationInfo) -> Any:
        # Before any lookup: PostgreSQL refuses a NUL in a query parameter outright (a 500).
        if isinstance(value, str) and has_control_characters(
            value, multiline=info.field_name in cls.multiline
        ):
            raise PydanticCustomError("control_characters", "control characters are not allowed here")
        return value

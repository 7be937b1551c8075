"""How the API answers errors: one body shape per kind, in the request's language.

- NotFound and Http404: 404 {"detail": "..."}: the same whether the record does not exist or
  lies outside the caller's scope, so the answer reveals nothing.
- PermissionDenied: 403 {"detail": "..."}.
- django ValidationError and malformed input: 422 {"detail": [{"field": ..., "message": ...}]}.
- No or bad credentials: 401 {"detail": "..."}.
- Conflict (the record's state does not allow it now, or it changed under the caller): 409
  {"detail": "..."}.
- The database stayed locked past its busy timeout (nothing was written): 503 {"detail": "..."}
  with Retry-After.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as NinjaValidationError

from gridwork.core.errors import Conflict, NotFound
from gridwork.core.middleware import BUSY_RETRY_AFTER, is_busy


def not_found_message() -> str:
    return _("Not found.")


def django_errors(exc: DjangoValidationError) -> list[dict[str, str]]:
    if hasattr(exc, "error_dict"):
        return [
            {"field": field, "message": str(message)}
            for field, messages in exc.message_dict.items()
            for message in messages
        ]
    return [{"field": NON_FIELD_ERRORS, "message": str(message)} for message in exc.messages]


def _pydantic_message(error: dict[str, Any]) -> str:
    """A translated message for pydantic's error; pydantic's own messages are English only.

    Most reuse Django's wording, which Django's catalogues already translate.
    """
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return _("This field is required.")
    if kind == "body_not_object":
        return _("The request body must be a JSON object.")
    if kind == "control_characters":
        return _("Remove the control characters from the text.")
    if kind.startswith(("date_", "datetime_")):
        return _("Enter a valid date.")
    if kind.startswith("int_"):
        return _("Enter a whole number.")
    if kind.startswith("float_") or kind.startswith("decimal_"):
        return _("Enter a number.")
    if kind == "string_too_long":
        return _("Ensure this value has at most %(limit_value)s characters.") % {
            "limit_value": ctx.get("max_length")
        }
    if kind == "greater_than_equal":
        return _("Ensure this value is greater than or equal to %(limit_value)s.") % {
            "limit_value": ctx.get("ge")
        }
    if kind == "less_than_equal":
        return _("Ensure this value is less than or equal to %(limit_value)s.") % {
            "limit_value": ctx.get("le")
        }
    return _("Enter a valid value.")


def _field_of(loc: tuple[Any, ...] | list[Any]) -> str:
    """The field a pydantic error is about, without ninja's source prefix.

    ninja reports ("query", "on"), ("path", "person_id"), or for the single body parameter
    ("body", "payload", "birth_date"); the caller only needs "on", "person_id", "birth_date".
    """
    parts = [str(part) for part in loc]
    parts = parts[2:] if parts[:1] == ["body"] else parts[1:]
    return ".".join(parts) or NON_FIELD_ERRORS


def ninja_errors(exc: NinjaValidationError) -> list[dict[str, str]]:
    return [
        {"field": _field_of(error.get("loc", ())), "message": _pydantic_message(error)}
        for error in exc.errors
    ]


def install(api: NinjaAPI) -> None:
    def not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
        return api.create_response(request, {"detail": not_found_message()}, status=404)

    def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        message = str(exc) or _("You may not do this.")
        return api.create_response(request, {"detail": message}, status=403)

    def invalid(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        return api.create_response(request, {"detail": django_errors(exc)}, status=422)

    def malformed(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        return api.create_response(request, {"detail": ninja_errors(exc)}, status=422)

    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = api.create_response(
            request, {"detail": _("Sign in or send a valid API token.")}, status=401
        )
        response["WWW-Authenticate"] = "Bearer"
        return response

    def conflict(request: HttpRequest, exc: Conflict) -> HttpResponse:
        message = str(exc) or _("The record changed; reload it and try again.")
        return api.create_response(request, {"detail": message}, status=409)

    def busy(request: HttpRequest, exc: OperationalError) -> HttpResponse:
        if not is_busy(exc):
            raise exc
        message = _("The database is busy. Nothing was saved; please try again in a moment.")
        response = api.create_response(request, {"detail": message}, status=503)
        response["Retry-After"] = str(BUSY_RETRY_AFTER)
        return response

    api.add_exception_handler(NotFound, not_found)
    api.add_exception_handler(OperationalError, busy)
    api.add_exception_handler(Http404, not_found)
    api.add_exception_handler(PermissionDenied, forbidden)
    api.add_exception_handler(DjangoValidationError, invalid)
    api.add_exception_handler(NinjaValidationError, malformed)
    api.add_exception_handler(AuthenticationError, unauthenticated)
    api.add_exception_handler(Conflict, conflict)


# --- the error answers, written into the OpenAPI schema ------------------------------------------

_MESSAGE = {"type": "object", "properties": {"detail": {"type": "string"}}, "required": ["detail"]}
_FIELD_ERRORS = {
    "type": "object",
    "properties": {
        "detail": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
                "required": ["field", "message"],
            },
        }
    },
    "required": ["detail"],
}
# status → (description, body schema, whether only unsafe methods answer it)
_ERROR_ANSWERS: dict[str, tuple[str, dict[str, Any], bool]] = {
    "403": ("Not allowed for the caller's roles", _MESSAGE, False),
    "404": ("Not found, or outside the caller's scope (the same answer)", _MESSAGE, False),
    "409": ("The record's state does not allow it now, or it changed", _MESSAGE, True),
    "422": ("Invalid input, by field", _FIELD_ERRORS, False),
    "503": ("The database is busy; nothing was written (see Retry-After)", _MESSAGE, False),
}


def document_errors(schema: dict[str, Any]) -> dict[str, Any]:
    """Every operation's error answers (the handlers above) in its OpenAPI description, so a client
    (and schemathesis) knows them: 401 where the operation declares security, and the rest."""
    for methods in schema.get("paths", {}).values():
        for method, operation in methods.items():
            responses = operation.setdefault("responses", {})
            answers = dict(_ERROR_ANSWERS)
            if operation.get("security"):
                answers["401"] = ("No or bad credentials", _MESSAGE, False)
            if operation.get("requestBody"):
                answers["400"] = (
                    "The body cannot be read (not JSON, or not the form declared)",
                    _MESSAGE,
                    False,
                )
            for status, (description, body, unsafe_only) in answers.items():
                if status in responses or (unsafe_only and method == "get"):
                    continue
                responses[status] = {
                    "description": description,
                    "content": {"application/json": {"schema": body}},
                }
    return schema

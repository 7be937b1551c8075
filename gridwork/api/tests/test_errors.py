"""The translation of pydantic's input errors into {"field", "message"} in the caller's language."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import translation
from ninja.errors import ValidationError as NinjaValidationError

from gridwork.api.errors import django_errors, ninja_errors


def test_pydantic_errors_name_the_field_in_english() -> None:
    errors = NinjaValidationError(
        [
            {"type": "missing", "loc": ("body", "payload", "name"), "msg": "Field required"},
            {"type": "int_parsing", "loc": ("query", "limit"), "msg": "..."},
            {"type": "greater_than_equal", "loc": ("query", "offset"), "msg": "...", "ctx": {"ge": 0}},
            {"type": "string_too_long", "loc": ("query", "q"), "msg": "...", "ctx": {"max_length": 50}},
            {"type": "something_new", "loc": ("path", "person_id"), "msg": "..."},
            {"type": "missing", "loc": ("body", "payload"), "msg": "Field required"},
        ]
    )
    with translation.override("en"):
        assert ninja_errors(errors) == [
            {"field": "name", "message": "This field is required."},
            {"field": "limit", "message": "Enter a whole number."},
            {"field": "offset", "message": "Ensure this value is greater than or equal to 0."},
            {"field": "q", "message": "Ensure this value has at most 50 characters."},
            {"field": "person_id", "message": "Enter a valid value."},
            {"field": "__all__", "message": "This field is required."},
        ]
    with translation.override("zh-hans"):
        assert ninja_errors(errors)[0]["message"] != "This field is required."


def test_django_errors_keep_every_field_and_message() -> None:
    exc = ValidationError({"phone": ["bad", "worse"], "sex": ["no"]})
    assert django_errors(exc) == [
        {"field": "phone", "message": "bad"},
        {"field": "phone", "message": "worse"},
        {"field": "sex", "message": "no"},
    ]
    assert django_errors(ValidationError("whole record")) == [{"field": "__all__", "message": "whole record"}]

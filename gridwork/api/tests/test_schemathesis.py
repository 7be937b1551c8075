"""Schemathesis against the API's own OpenAPI schema, through Django's WSGI app on the test database.

For every operation, examples that fit the schema and examples that do not, sent with a worker's
token (a few records in scope, the rest of the fixture district outside it). Checks:
- no server error (5xx), whatever is sent;
- an answer the schema describes (status code, content type, body) where the schema says so;
- input the schema forbids is refused (4xx), input it allows is not refused as malformed;
- no answer without the authentication the schema asks for: the same call without the token
  answers 401 for every operation that declares security, and a wrong token answers 401 too.

The number of examples per operation and mode is bounded (GRIDWORK_SCHEMATHESIS_EXAMPLES, default
3: the suite's run takes seconds); run it by hand with a few hundred to search further.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from gridwork.accounts.services import issue_token
from gridwork.api.tests.conftest import API
from gridwork.conftest import District
from gridwork.core.system import SYSTEM

EXAMPLES = int(os.environ.get("GRIDWORK_SCHEMATHESIS_EXAMPLES", "3"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
    ignored_auth,
]


def _operations(schema: Any) -> list[Any]:
    return [result.ok() for result in schema.get_all_operations()]


def _requires_auth(operation: Any) -> bool:
    security = operation.definition.raw.get("security", operation.schema.raw_schema.get("security"))
    return bool(security)


def _without_credentials(case: Any) -> int:
    """The same call with no credentials at all: its status code."""
    sent = dict(case.headers or {})
    case.headers = {k: v for k, v in sent.items() if k.lower() != "authorization"}
    try:
        return case.call().status_code
    finally:
        case.headers = sent


def _run(operation: Any, mode: GenerationMode, anonymous_answers: dict[str, set[int]]) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    def check(case: Any) -> None:
        case.call_and_validate(checks=CHECKS)
        if _requires_auth(operation):
            anonymous_answers.setdefault(operation.label, set()).add(_without_credentials(case))

    try:
        check()
    except Unsatisfiable:
        # An operation without parameters or body has no input that breaks its schema.
        if mode is GenerationMode.POSITIVE:
            raise


def _bearer(schema: Any, token: str) -> None:
    """The worker's token on every generated call, declared to schemathesis as the API's auth."""

    @schema.auth()
    class Bearer:
        def get(self, case: Any, context: Any) -> str:
            return token

        def set(self, case: Any, data: str, context: Any) -> None:
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


@pytest.fixture
def _connection_kept_across_requests() -> Any:
    """Calls go straight to the WSGI app, not through Django's test client, which is what keeps
    a request's end from closing the test's database connection (and its transaction) on PostgreSQL."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
@pytest.mark.usefixtures("_connection_kept_across_requests")
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=str)
def test_api_against_its_schema(district: District, mode: GenerationMode) -> None:
    schema = schemathesis.openapi.from_wsgi(f"{API}/openapi.json", get_wsgi_application())
    operations = _operations(schema)
    assert len(operations) >= 40  # the whole API, not a part of it
    _bearer(schema, issue_token(SYSTEM, district.users["centre_a"], "schemathesis", days=1))
    anonymous_answers: dict[str, set[int]] = {}
    for operation in operations:
        _run(operation, mode, anonymous_answers)
    # Every operation that declares security refused every call without credentials with 401,
    # whatever else was wrong with the call (a 422 would tell an anonymous caller about the input).
    assert anonymous_answers, "no operation declared security"
    wrong = {label: codes for label, codes in anonymous_answers.items() if codes != {401}}
    assert not wrong, wrong

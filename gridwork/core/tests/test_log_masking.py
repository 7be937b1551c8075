"""Log lines carry no full ID number or phone: the console handler's filter masks the message, its
arguments and the exception's text, whatever logger wrote them."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest
from django.test import Client

from gridwork.core.log_masking import MaskPersonalNumbers

ID_NUMBER = "110112198001011234"
PHONE = "13812345678"


def _handler(stream: io.StringIO) -> logging.Handler:
    handler = logging.StreamHandler(stream)
    handler.addFilter(MaskPersonalNumbers())
    return handler


def test_message_arguments_and_exception_are_masked() -> None:
    stream = io.StringIO()
    logger = logging.getLogger("gridwork.test_log_masking")
    handler = _handler(stream)
    logger.addHandler(handler)
    try:
        logger.warning("import row 3: %s, phone %s", ID_NUMBER, PHONE)
        try:
            raise ValueError(f"Key (id_type, id_number)=(resident, {ID_NUMBER}) already exists.")
        except ValueError:
            logger.exception("a write failed for %s", "138 1234 5678")
        logger.warning("bad arguments %s %s", PHONE)  # a broken call is still written, masked
    finally:
        logger.removeHandler(handler)
    text = stream.getvalue()
    assert ID_NUMBER not in text and PHONE not in text and "138 1234 5678" not in text
    assert "1*************1234" in text and "138****5678" in text
    assert "already exists" in text and "Traceback" in text and "import row 3" in text


@pytest.fixture
def console() -> Iterator[io.StringIO]:
    """The stream of the handler the settings install on the root logger, read by the test."""
    handlers = [
        h
        for h in logging.getLogger().handlers
        if isinstance(h, logging.StreamHandler) and any(isinstance(f, MaskPersonalNumbers) for f in h.filters)
    ]
    assert handlers, "the settings' console handler has no masking filter"
    stream = io.StringIO()
    old = handlers[0].setStream(stream)
    yield stream
    handlers[0].setStream(old)


@pytest.mark.django_db
def test_the_configured_log_masks_a_request_line(console: io.StringIO) -> None:
    assert Client().get(f"/track/{PHONE}/").status_code == 404  # Django logs "Not Found: <path>"
    text = console.getvalue()
    assert "Not Found: /track/138****5678/" in text and PHONE not in text

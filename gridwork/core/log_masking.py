"""A logging filter that masks ID-like and phone-like numbers in every line written to the log.

Log lines leave the application's access control (files, a log collector, whoever reads the
server's console), and some carry what a user submitted: a request path with a phone in its
query, a PostgreSQL message naming the duplicate key (`Key (id_number)=(110112…) already
exists`), an exception's text. The filter rewrites the record's message, its arguments and the
formatted exception with core.masking.mask_free_text before any handler formats it.
"""

from __future__ import annotations

import logging

from gridwork.core.masking import mask_free_text

_FORMATTER = logging.Formatter()


class MaskPersonalNumbers(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # arguments that do not fit the message: keep both, masked
            message = f"{record.msg} {record.args}"
        record.msg, record.args = mask_free_text(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = _FORMATTER.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_free_text(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_free_text(record.stack_info)
        return True

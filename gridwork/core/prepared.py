"""Compiled list queries kept per process: the ORM builds a list's SQL once per set of inputs.

A list page's queryset is built as always, through `visible_to` and the same filters, but turning
it into SQL costs the ORM more than a millisecond (nested subqueries for the page and its total),
where the database answers in a tenth of that. `values()` compiles the queryset once for a key and
runs the same statement, with the same parameters, on later calls with the same key.

The key is what the queryset was built from. The caller names its own inputs (area, search, page);
this module adds the rest of what `visible_to` and the queues read: the user, the roles the user
holds today (role, area, department) and today's date. The statement is rebuilt whenever any of
those differs, so a grant, a revoke or a new day never meets an old statement. Only the SQL is
kept, never rows: every call reads the database. A queryset whose SQL holds the time of day
(a deadline compared with now) must name that time in its key, or not come here.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

MAX_STATEMENTS = 2048


@dataclass(frozen=True)
class _Statement:
    sql: str
    params: tuple[Any, ...]
    names: tuple[str, ...]
    converters: tuple[tuple[int, tuple[Callable[..., Any], ...], Any], ...]
    empty: bool = False


_lock = threading.Lock()
_statements: OrderedDict[Hashable, _Statement] = OrderedDict()


def _user_key(user: Any) -> Hashable:
    from gridwork.accounts.access import active_assignments

    roles = tuple(sorted((a.role, a.area_id, a.department) for a in active_assignments(user)))
    return (getattr(user, "pk", None), roles)


def _compile(queryset: QuerySet) -> _Statement:
    query = queryset.query
    if not query.values_select and not query.annotation_select:
        raise ValueError("prepared.values needs a values() queryset")
    compiler = query.get_compiler(queryset.db)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:  # a scope that sees nothing: no statement to run
        return _Statement("", (), (), (), empty=True)
    names = list(query.selected) if query.selected else [*query.extra_select, *query.values_select]
    if not query.selected:
        names += list(query.annotation_select)
    selected = [s[0] for s in compiler.select[: compiler.col_count]]
    converters = tuple(
        (index, tuple(functions), expression)
        for index, (functions, expression) in compiler.get_converters(selected).items()
    )
    return _Statement(sql, tuple(params), tuple(names), converters)


def values(user: Any, key: Hashable | None, build: Callable[[], QuerySet]) -> list[dict[str, Any]]:
    """The rows of `build()` (a values() queryset) as dicts; `key` names the caller's inputs (None:
    compile every time, for a statement that holds the time of day)."""
    full_key = None if key is None else (key, _user_key(user), timezone.localdate(), connection.alias)
    statement = None
    if full_key is not None:
        with _lock:
            statement = _statements.get(full_key)
            if statement is not None:
                _statements.move_to_end(full_key)
    if statement is None:
        statement = _compile(build())
        if full_key is not None:
            with _lock:
                _statements[full_key] = statement
                while len(_statements) > MAX_STATEMENTS:
                    _statements.popitem(last=False)
    if statement.empty:
        return []
    with connection.cursor() as cursor:
        cursor.execute(statement.sql, statement.params)
        rows = cursor.fetchall()
    names, converters = statement.names, statement.converters
    result = []
    for row in rows:
        if converters:
            row = list(row)
            for index, functions, expression in converters:
                value = row[index]
                for convert in functions:
                    value = convert(value, expression, connection)
                row[index] = value
        result.append(dict(zip(names, row, strict=True)))
    return result


def forget() -> None:
    """Drop every kept statement (tests; never needed for correctness)."""
    with _lock:
        _statements.clear()

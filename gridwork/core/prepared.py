"""Compiled queries kept per process: the ORM builds a statement's SQL once per set of inputs.

A page's or an endpoint's queryset is built as always, through `visible_to` and the same filters,
but turning it into SQL costs the ORM 0.1 to over 1 ms (nested subqueries for a list page and
its total), where the database answers in a fraction of that. `values()` and `instances()`
compile the queryset once for a key and run the same statement on later calls with the same key.

The key is what the queryset was built from. The caller names its own inputs (area, search, page);
this module adds the rest of what `visible_to` and the queues read: the user, the roles the user
holds today (role, area, department) and today's date. The statement is rebuilt whenever any of
those differs, so a grant, a revoke or a new day never meets an old statement. A queryset whose
SQL holds the time of day (a deadline compared with now) must name that time in its key, or not
come here.

Rows are read from the database on every call, unless the caller passes `kept_under`: a token that
changes with every write to anything the rows are read from (cases.reference.case_list_token, which
database triggers keep). The rows are then kept for the same statement, parameters and token, and
read again once the token changes. The caller reads the token before the rows: a write in between
has already replaced the token, so rows kept under the old one are never used again.

Values that change on every call (the id of the record asked for) are bound, as in a prepared
statement: `build` receives them as arguments and the statement is compiled once with stand-in
values, whose places among the parameters are found and filled on each call. A stand-in that
does not come out exactly once, unchanged, among the parameters (a lookup that rewrote it), or an
argument of another type than its stand-in, makes the call compile with the real values instead.
So `build` must use its arguments only as values to compare with, never to choose what to build.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.core.exceptions import EmptyResultSet
from django.db import connection, models, transaction
from django.db.models import QuerySet
from django.db.models.signals import post_save, pre_save
from django.utils import timezone

from gridwork.core import rawsql

MAX_STATEMENTS = 2048
MAX_KEPT_LISTS = 256
MAX_KEPT_ROWS = 200  # a page of a list; larger results are read every time
# Values a kept row may hold: each caller gets its own dicts, so only the values are shared.
_IMMUTABLE = frozenset({str, int, float, bool, type(None), dt.datetime, dt.date, dt.time, Decimal, UUID})
# Stand-ins for bound values: nothing a caller passes looks like these (no key is negative; within
# the range of a 32-bit column, which Django checks lookups against).
_INT_STAND_IN = -2_000_000_017
_STR_STAND_IN = "\x1fgridwork-bound-{}\x1f"


@dataclass(frozen=True)
class _Statement:
    sql: str
    params: tuple[Any, ...]
    names: tuple[str, ...]
    converters: rawsql.Converters
    model: type[models.Model] | None = None  # rows become instances of it (else dicts)
    bound: tuple[int, ...] = ()  # where each bound value goes among the parameters
    empty: bool = False


_lock = threading.Lock()
_statements: OrderedDict[Hashable, _Statement | None] = OrderedDict()
_kept_rows: OrderedDict[Hashable, list] = OrderedDict()
stats = {"kept_hits": 0}


def _user_key(user: Any) -> Hashable:
    from gridwork.accounts.access import active_assignments

    roles = tuple(sorted((a.role, a.area_id, a.department) for a in active_assignments(user)))
    return (getattr(user, "pk", None), roles)


def _stand_in(index: int, value: Any) -> Any:
    if type(value) is int:
        return _INT_STAND_IN - index
    if type(value) is str:
        return _STR_STAND_IN.format(index)
    return None


def _compile(queryset: QuerySet, as_instances: bool) -> _Statement:
    query = queryset.query
    compiler = query.get_compiler(queryset.db)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:  # a scope that sees nothing: no statement to run
        return _Statement("", (), (), (), empty=True)
    if as_instances:
        klass_info = compiler.klass_info
        if query.values_select or query.annotation_select or klass_info.get("related_klass_infos"):
            raise ValueError("prepared.instances needs a plain queryset (no values, annotations or joins)")
        names = [compiler.select[i][0].target.attname for i in klass_info["select_fields"]]
    elif query.selected:
        names = list(query.selected)
    elif query.values_select or query.annotation_select:
        names = [*query.extra_select, *query.values_select, *query.annotation_select]
    else:
        raise ValueError("prepared.values needs a values() queryset")
    selected = [s[0] for s in compiler.select[: compiler.col_count]]
    converters = [
        (index, list(functions), expression)
        for index, (functions, expression) in compiler.get_converters(selected).items()
    ]
    model = queryset.model if as_instances else None
    return _Statement(sql, tuple(params), tuple(names), converters, model)


def _bind(statement: _Statement, stand_ins: list[Any]) -> _Statement | None:
    """The statement with the places of its stand-ins; None when one is not found exactly once."""
    places = []
    for stand_in in stand_ins:
        found = [i for i, p in enumerate(statement.params) if type(p) is type(stand_in) and p == stand_in]
        if len(found) != 1:
            return None
        places.append(found[0])
    return replace(statement, bound=tuple(places))


def _statement(
    user: Any, key: Hashable | None, build: Callable[..., QuerySet], args: tuple[Any, ...], as_instances: bool
) -> tuple[_Statement, tuple[Any, ...]]:
    """The statement for these inputs and its parameters for these arguments."""
    stand_ins = [_stand_in(i, value) for i, value in enumerate(args)]
    if key is None or any(s is None for s in stand_ins):
        statement = _compile(build(*args), as_instances)
        return statement, statement.params
    full_key = (key, as_instances, _user_key(user), timezone.localdate(), connection.alias)
    with _lock:
        known = full_key in _statements
        statement = _statements.get(full_key)
        if known:
            _statements.move_to_end(full_key)
    if not known:
        compiled = _compile(build(*stand_ins), as_instances)
        if compiled.empty:
            # Nothing in scope, or a stand-in the lookup found out of its range: only a statement
            # without stand-ins can say which, so that one is kept (or none).
            compiled = _compile(build(*args), as_instances)
            statement = compiled if compiled.empty and not stand_ins else None
        else:
            statement = _bind(compiled, stand_ins)
        with _lock:
            _statements[full_key] = statement  # None: cannot be bound, compile on each call
            while len(_statements) > MAX_STATEMENTS:
                _statements.popitem(last=False)
    if statement is None:
        statement = _compile(build(*args), as_instances)
        return statement, statement.params
    if statement.empty:
        return statement, ()
    params = list(statement.params)
    for place, value in zip(statement.bound, args, strict=True):
        params[place] = value
    return statement, tuple(params)


def _rows(statement: _Statement, params: tuple[Any, ...]) -> list:
    if statement.empty:
        return []
    return rawsql.convert(rawsql.fetch(statement.sql, params), statement.converters)


def _kept_or_read(statement: _Statement, params: tuple[Any, ...], kept_under: str) -> list:
    slot = (connection.alias, statement.sql, params, kept_under)
    with _lock:
        rows = _kept_rows.get(slot)
        if rows is not None:
            _kept_rows.move_to_end(slot)
            stats["kept_hits"] += 1
            return rows
    rows = _rows(statement, params)
    if len(rows) <= MAX_KEPT_ROWS and all(_IMMUTABLE.issuperset(map(type, row)) for row in rows):
        with _lock:
            _kept_rows[slot] = rows
            while len(_kept_rows) > MAX_KEPT_LISTS:
                _kept_rows.popitem(last=False)
    return rows


def values(
    user: Any, key: Hashable | None, build: Callable[..., QuerySet], *args: Any, kept_under: str | None = None
) -> list[dict[str, Any]]:
    """The rows of `build(*args)` (a values() queryset) as dicts. `key` names the caller's inputs
    (None: compile every time, for a statement that holds the time of day); `args` are bound.
    `kept_under`: keep the rows under this token (see the module's notes; only with a key)."""
    statement, params = _statement(user, key, build, args, as_instances=False)
    if kept_under is not None and key is not None and not statement.empty:
        rows = _kept_or_read(statement, params, kept_under)
    else:
        rows = _rows(statement, params)
    names = statement.names
    return [dict(zip(names, row, strict=True)) for row in rows]


def instances(user: Any, key: Hashable | None, build: Callable[..., QuerySet], *args: Any) -> list[Any]:
    """The records of `build(*args)` (a plain queryset of one model, no joins), as the ORM makes them."""
    statement, params = _statement(user, key, build, args, as_instances=True)
    model, names, alias = statement.model, statement.names, connection.alias
    if model is None:  # nothing in scope: no statement was made
        return []
    return [model.from_db(alias, names, row) for row in _rows(statement, params)]


@dataclass(frozen=True)
class _Insert:
    sql: str
    fields: tuple[models.Field, ...]
    returning: bool


_inserts: dict[tuple[type[models.Model], str, bool], _Insert] = {}


def _insert_statement(model: type[models.Model], with_pk: bool) -> _Insert:
    key = (model, connection.vendor, with_pk)
    statement = _inserts.get(key)
    if statement is None:
        meta, quote = model._meta, connection.ops.quote_name
        fields = tuple(f for f in meta.concrete_fields if with_pk or not f.primary_key)
        returning = not with_pk and connection.features.can_return_columns_from_insert
        columns = ", ".join(quote(f.column) for f in fields)
        # Names from the model; the values are parameters.
        sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({rawsql.placeholders(fields)})"  # noqa: S608
        if returning:
            sql += f" RETURNING {quote(meta.pk.column)}"
        statement = _inserts[key] = _Insert(sql, fields, returning)
    return statement


def _plain_save(model: type[models.Model]) -> bool:
    """Whether save() of a new instance of `model` is one INSERT and nothing else."""
    from gridwork.core.models import AppendOnlyModel  # refuses updates only: inserts as Model does

    return (
        model.save in (models.Model.save, AppendOnlyModel.save)
        and not model._meta.parents
        and not pre_save.has_listeners(model)
        and not post_save.has_listeners(model)
    )


def insert(instance: models.Model) -> None:
    """Write a new `instance` as `instance.save()` would: the same values, prepared by the same field
    methods (auto_now, defaults, JSON), with the INSERT compiled once per model instead of on every
    save (the ORM's insert compiler costs about 0.1 ms a row; a case report writes several). Where
    save() would do more than one INSERT (a save() of its own, save signal receivers, a parent
    model) or a value is an expression, this is save() itself."""
    model = type(instance)
    if not instance._state.adding or not _plain_save(model):
        instance.save()
        return
    instance._prepare_related_fields_for_save(operation_name="save")
    statement = _insert_statement(model, with_pk=instance.pk is not None)
    values = []
    for field in statement.fields:
        value = field.pre_save(instance, add=True)
        if hasattr(value, "resolve_expression"):
            instance.save()
            return
        values.append(field.get_db_prep_save(value, connection))
    # As save() does: a failed write inside a transaction marks it for rollback even if caught.
    with transaction.mark_for_rollback_on_error(), connection.cursor() as cursor:
        cursor.execute(statement.sql, values)
        if statement.returning:
            instance.pk = cursor.fetchone()[0]
        elif instance.pk is None:
            instance.pk = connection.ops.last_insert_id(cursor, model._meta.db_table, model._meta.pk.column)
    instance._state.adding = False
    instance._state.db = connection.alias


def forget() -> None:
    """Drop every kept statement (tests; never needed for correctness)."""
    with _lock:
        _statements.clear()
    forget_rows()


def forget_rows() -> None:
    """Drop the kept rows, keeping the statements (what a write to the data would leave)."""
    with _lock:
        _kept_rows.clear()

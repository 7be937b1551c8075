"""Reading rows without the ORM's query building, for the few small reads made on every page.

Building a query through the ORM costs 0.1–0.25 ms of Python each time; the database answers a
read by key in a few hundredths of a millisecond. The pages read on every request (the user's
areas, their counts, the unread notices) use these helpers with fixed SQL instead. Values pass
through the same converters the ORM applies (booleans and dates on SQLite, for one), so a model
read here equals one read through its manager.

Records that are scoped (people, households, cases, visits) are not read here: those go through
`visible_to`. Areas, counts and a user's own notices need no scope filter beyond the caller's
own check.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import connection, models

M = TypeVar("M", bound=models.Model)


def fetch(sql: str, params: Sequence[Any] = ()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def placeholders(values: Sequence[Any]) -> str:
    """`%s, %s, …` for an IN list (at least one value)."""
    return ", ".join(["%s"] * len(values))


def table(model: type[models.Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


Converters = list[tuple[int, list[Callable[..., Any]], Any]]


@dataclass(frozen=True)
class _Shape:
    select: str
    attnames: list[str]
    converters: Converters


_SHAPES: dict[tuple[type[models.Model], str], _Shape] = {}


def _shape(model: type[models.Model]) -> _Shape:
    key = (model, connection.vendor)
    shape = _SHAPES.get(key)
    if shape is None:
        fields = model._meta.concrete_fields
        quote = connection.ops.quote_name
        columns = ", ".join(f"{quote(model._meta.db_table)}.{quote(f.column)}" for f in fields)
        converters = []
        for index, field in enumerate(fields):
            expression = field.get_col(model._meta.db_table)
            found = connection.ops.get_db_converters(expression) + field.get_db_converters(connection)
            if found:
                converters.append((index, found, expression))
        shape = _SHAPES[key] = _Shape(
            select=f"SELECT {columns} FROM {table(model)}",  # noqa: S608 - names from the model
            attnames=[f.attname for f in fields],
            converters=converters,
        )
    return shape


def convert(rows: list[tuple], converters: Converters) -> list:
    """The rows with each (column, converters, expression) applied as the ORM applies them."""
    if not converters:
        return rows
    converted = []
    for row in rows:
        values = list(row)
        for index, functions, expression in converters:
            value = values[index]
            for function in functions:
                value = function(value, expression, connection)
            values[index] = value
        converted.append(values)
    return converted


def instances(model: type[M], where: str, params: Sequence[Any] = (), order_by: str = "") -> list[M]:
    """Instances of `model` for the rows matching the SQL condition `where`, as the ORM builds them."""
    shape = _shape(model)
    # `where` and `order_by` are the caller's fixed SQL; values go in `params`.
    sql = f"{shape.select} WHERE {where}" + (f" ORDER BY {order_by}" if order_by else "")
    rows = convert(fetch(sql, params), shape.converters)
    return [model.from_db(connection.alias, shape.attnames, row) for row in rows]

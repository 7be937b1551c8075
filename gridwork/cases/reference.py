"""Categories and work-calendar exceptions kept in memory per process, never outdated.

Each kind of reference data has a random token in `cases_referenceversion` that database triggers
replace on every write to its table (migration 0003), by any process, in any way. Before each use the
tokens are read (one small query) and the kept copy is used only if it was loaded under the token
now in force; else the table is read again. Read in a transaction, the token and the data are those
that transaction sees (its own uncommitted writes included); a rolled-back token never comes back,
so what was loaded under it is never used again.

The same query can also read the tokens of the grids a list of cases comes from (`one_read` with
`cases_in`; migration 0005 keeps a token per grid): `case_list_token` then names the state of
every case in those areas, with the areas' and categories' names, for a list kept under it
(gridwork.core.prepared).
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import connection

from gridwork.cases.models import Category, GridVersion, ReferenceVersion, WorkCalendarDay
from gridwork.core.scoping import next_prefix

_CATEGORY_FIELDS = [f.attname for f in Category._meta.concrete_fields]
# One statement without ORM query building: it runs before every use of the kept data.
_TOKENS_SQL = f"SELECT name, token FROM {ReferenceVersion._meta.db_table}"  # noqa: S608 - a table name
_kept: dict[Any, tuple[str, Any]] = {}
# Inside `one_read`: the tokens as read once for the whole block.
_block_tokens: ContextVar[dict[str, str] | None] = ContextVar("gridwork_reference_tokens", default=None)
_NOT_READ: dict[str, str] = {}
# The area codes whose grids' tokens the block reads too (one_read's `cases_in`).
_block_areas: ContextVar[tuple[str, ...]] = ContextVar("gridwork_reference_areas", default=())
_CASES = "cases"
# What a kept list of cases shows besides the cases: the areas' and the categories' names.
_CASE_LIST_NAMES = ("area", "category")
# The grids' tokens in code order, joined (PostgreSQL: their digest), per database.
_GRID_TOKENS = {
    "sqlite": "SELECT '{name}', COALESCE(group_concat(token, ''), '') FROM "
    "(SELECT token FROM {table} WHERE {ranges} ORDER BY grid_code)",
    "postgresql": "SELECT '{name}', COALESCE(md5(string_agg(token, '' ORDER BY grid_code)), '') "
    "FROM {table} WHERE {ranges}",
}


def _tokens_query(areas: tuple[str, ...]) -> tuple[str, list[str]]:
    grid_tokens = _GRID_TOKENS.get(connection.vendor)  # other databases have no triggers
    if not areas or grid_tokens is None:
        return _TOKENS_SQL, []
    ranges, params = [], []
    for code in areas:
        upper = next_prefix(code)
        ranges.append("(grid_code >= %s AND grid_code < %s)" if upper else "grid_code >= %s")
        params += [code, upper] if upper else [code]
    grids = grid_tokens.format(name=_CASES, table=GridVersion._meta.db_table, ranges=" OR ".join(ranges))
    return f"{_TOKENS_SQL} UNION ALL {grids}", params


def _tokens() -> dict[str, str]:
    block = _block_tokens.get()
    if block is not None and block is not _NOT_READ:
        return block
    sql, params = _tokens_query(_block_areas.get() if block is not None else ())
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        tokens = dict(cursor.fetchall())
    if block is not None:
        _block_tokens.set(tokens)
    return tokens


@contextmanager
def one_read(cases_in: Sequence[str] = ()) -> Iterator[None]:
    """Within the block, the tokens are read once: a page that uses both the categories and the
    calendar checks both with one query (and sees one state of both). `cases_in`: area codes whose
    cases the block lists (see case_list_token). Within another block and without `cases_in`, the
    outer block's read serves (a service called by an endpoint that reads the tokens too)."""
    if _block_tokens.get() is not None and not cases_in:
        yield
        return
    reset = _block_tokens.set(_NOT_READ)
    reset_areas = _block_areas.set(tuple(cases_in))
    try:
        yield
    finally:
        _block_areas.reset(reset_areas)
        _block_tokens.reset(reset)


def case_list_token() -> str | None:
    """Within `one_read(cases_in=codes)`: a token that changes whenever any case in those areas, any
    area or any category is written (by anyone, committed or in this transaction), for a list of
    cases kept under it; None when there is none to give (outside such a block, no triggers)."""
    if not _block_areas.get():
        return None
    tokens = _tokens()
    parts = [tokens.get(name) for name in (*_CASE_LIST_NAMES, _CASES)]
    if any(part is None for part in parts):
        return None
    return ":".join(parts)  # type: ignore[arg-type]


def _current(name: str, load: Callable[[], Any], kept_as: Any = None) -> Any:
    """The data `load` gives, kept under the token of `name` (as `kept_as`, for data derived from it)."""
    token = _tokens().get(name)
    slot = kept_as if kept_as is not None else name
    kept = _kept.get(slot)
    if token is not None and kept is not None and kept[0] == token:
        return kept[1]
    # Token first, data second: data loaded after a newer write is at worst kept under the older
    # token, which is then never current again.
    value = load()
    if token is not None:
        if isinstance(value, Kept):
            value.memo_key = (name, token, slot)
        _kept[slot] = (token, value)
    return value


class Kept(list):
    """A list derived from reference data, carrying the token it was kept under (`memo_key`): a
    page kept for equal inputs (web/page_memo.py) keys on that instead of on every item."""

    memo_key: tuple[Any, ...] | None = None


def _load_leaves() -> dict[str, tuple[Any, ...]]:
    rows = Category.objects.active().leaves().values_list(*_CATEGORY_FIELDS)
    return {row[_CATEGORY_FIELDS.index("code")]: tuple(row) for row in rows}


def active_leaf(code: str) -> Category | None:
    """The active leaf category with this code (what cases are filed under), or None.

    A new instance on each call, so a caller that changes it changes nothing kept."""
    row = _current("category", _load_leaves).get(str(code))
    if row is None:
        return None
    values = dict(zip(_CATEGORY_FIELDS, row, strict=True))
    values["limits"] = copy.deepcopy(values["limits"])
    return Category.from_db(connection.alias, _CATEGORY_FIELDS, list(values.values()))


def active_categories(derive: Callable[[list[Category]], Any], kept_as: Any) -> Any:
    """What `derive` makes of the active categories (in code order), kept as `kept_as` while the
    categories stay unchanged: a page's filter of the tree, in one language. Do not change it."""
    return _current(
        "category", lambda: Kept(derive(list(Category.objects.active().order_by("code")))), kept_as
    )


def _load_calendar() -> dict[dt.date, bool]:
    return dict(WorkCalendarDay.objects.values_list("date", "is_workday"))


def calendar_exceptions() -> dict[dt.date, bool]:
    """Every declared holiday (False) and make-up working day (True), by date. Do not change it."""
    return _current("calendar", _load_calendar)


def forget() -> None:
    """Drop what this process keeps (tests; never needed for correctness)."""
    _kept.clear()

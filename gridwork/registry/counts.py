"""The register's counts per area, kept exact in the transaction of every change.

A count row holds one metric for one area at any level (district, street, community, grid):
living people, party members among them, every registered person whatever the status (the total
of an area's list of people), households, and open-ended tags of living people per key group.
Each save or delete of a person, household or tag works out what the row counted before and after
and adds the difference with `value = value + d` in the same transaction, so a rolled-back change
leaves the counts alone and concurrent changes add up (each UPDATE locks its count rows until
commit). Tags with an end date in the future are not stored, because they stop
counting with the passing of time; `stats` adds them at read time.

Django's model signals catch every save and delete, whoever makes them (the services, merges,
cascades). Bulk inserts and raw SQL do not send them: the demo builder calls `rebuild_counts`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, connection, models, transaction
from django.db.models import Count, F, Q
from django.db.models.signals import post_save, pre_delete, pre_save

from gridwork.areas.models import Area
from gridwork.registry import choices as c
from gridwork.registry.models import AreaCount, Household, KeyGroup, Person, PersonTag

PEOPLE, PARTY_MEMBERS, HOUSEHOLDS = "people", "party_members", "households"
BASE_METRICS = (PEOPLE, PARTY_MEMBERS, HOUSEHOLDS)
# Every person on the register, whatever the status: the total of an area's list of people.
REGISTERED = "registered"
PARTY = frozenset({c.PoliticalStatus.PARTY_MEMBER, c.PoliticalStatus.PROBATIONARY})
LIVING = c.PersonStatus.LIVING
CODE_LENGTHS = (6, 9, 12, 15)

# Which fields each model's counts depend on: a save naming none of them changes no count.
_RELEVANT: dict[type[models.Model], frozenset[str]] = {
    Person: frozenset({"grid", "grid_id", "status", "political_status"}),
    Household: frozenset({"grid", "grid_id"}),
    PersonTag: frozenset({"grid", "grid_id", "group", "group_id", "until", "person", "person_id"}),
}

Delta = Counter  # (grid code, metric) -> change


def group_metric(group_id: int) -> str:
    return f"group:{group_id}"


def area_chain(code: str) -> list[str]:
    """The area and its ancestors: the prefixes of a code at each level."""
    return [code[:n] for n in CODE_LENGTHS if n <= len(code)]


def parent_code(code: str) -> str:
    return code[:-3] if len(code) > CODE_LENGTHS[0] else ""


# What one row counts -------------------------------------------------------------------------


def _person_counts(grid: str, status: str, political_status: str) -> Delta:
    registered = Counter({(grid, REGISTERED): 1})
    if status != LIVING:
        return registered
    counted = registered + Counter({(grid, PEOPLE): 1})
    if political_status in PARTY:
        counted[(grid, PARTY_MEMBERS)] = 1
    return counted


def _tag_counts(grid: str, group_id: int, until: Any, person_status: str | None) -> Delta:
    if until is not None or person_status != LIVING:
        return Counter()
    return Counter({(grid, group_metric(group_id)): 1})


def _open_tags_of(person_id: int) -> Delta:
    """What a person's open-ended tags count while the person lives."""
    rows = (
        PersonTag.objects.filter(person_id=person_id, until__isnull=True)
        .values_list("grid_id", "group_id")
        .annotate(n=Count("id"))
    )
    return Counter({(grid, group_metric(group)): n for grid, group, n in rows})


def _person_status(person_id: int | None) -> str | None:
    if person_id is None:
        return None
    return Person.objects.filter(pk=person_id).values_list("status", flat=True).first()


def _stored_counts(model: type[models.Model], pk: Any) -> tuple[Delta, Any] | None:
    """What the row as stored counts now, and what a person's tag adjustment needs (its status)."""
    if model is Person:
        row = Person.objects.filter(pk=pk).values_list("grid_id", "status", "political_status").first()
        return None if row is None else (_person_counts(*row), row[1])
    if model is Household:
        grid = Household.objects.filter(pk=pk).values_list("grid_id", flat=True).first()
        return None if grid is None else (Counter({(grid, HOUSEHOLDS): 1}), None)
    row = (
        PersonTag.objects.filter(pk=pk).values_list("grid_id", "group_id", "until", "person__status").first()
    )
    return None if row is None else (_tag_counts(*row), None)


def _instance_counts(instance: models.Model) -> tuple[Delta, Any]:
    if isinstance(instance, Person):
        return _person_counts(instance.grid_id, instance.status, instance.political_status), instance.status
    if isinstance(instance, Household):
        return Counter({(instance.grid_id, HOUSEHOLDS): 1}), None
    return (
        _tag_counts(instance.grid_id, instance.group_id, instance.until, _person_status(instance.person_id)),
        None,
    )


# Applying a change ---------------------------------------------------------------------------


def apply(delta: Delta) -> None:
    """Add grid-level changes to the grid and every area above it, in the current transaction."""
    by_area: Counter = Counter()
    for (grid, metric), change in delta.items():
        for code in area_chain(grid):
            by_area[(code, metric)] += change
    # A fixed order of updates, so two transactions never wait on each other's rows in a cycle.
    changes = sorted((code, metric, change) for (code, metric), change in by_area.items() if change)
    if not changes:
        return
    # One plain UPDATE a row, all in one executemany: an ORM update costs about a millisecond, and
    # a batch of an import changes a thousand rows.
    quote, meta = connection.ops.quote_name, AreaCount._meta
    table = quote(meta.db_table)
    value, code_column, metric_column = (
        quote(meta.get_field(n).column) for n in ("value", "area_code", "metric")
    )
    sql = f"UPDATE {table} SET {value} = {value} + %s WHERE {code_column} = %s AND {metric_column} = %s"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.executemany(sql, [(change, code, metric) for code, metric, change in changes])
        updated = cursor.rowcount
    if updated < len(changes):
        present = set(
            AreaCount.objects.filter(area_code__in={code for code, _m, _c in changes}).values_list(
                "area_code", "metric"
            )
        )
        for code, metric, change in changes:
            if (code, metric) not in present:
                _add_missing(metric, change, [code])


def _add_missing(metric: str, change: int, codes: list[str]) -> None:
    present = set(
        AreaCount.objects.filter(area_code__in=codes, metric=metric).values_list("area_code", flat=True)
    )
    for code in codes:
        if code in present:
            continue
        try:
            with transaction.atomic():
                AreaCount.objects.create(
                    area_code=code, parent_code=parent_code(code), metric=metric, value=change
                )
        except IntegrityError:
            # Another transaction created the row meanwhile (it committed before our insert): add to it.
            AreaCount.objects.filter(area_code=code, metric=metric).update(value=F("value") + change)


def _names_relevant(model: type[models.Model], update_fields: Iterable[str] | None) -> bool:
    return update_fields is None or bool(_RELEVANT[model] & set(update_fields))


def _before_save(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    instance._counted_before = None  # type: ignore[attr-defined]
    if not _names_relevant(sender, kwargs.get("update_fields")):
        return
    if instance.pk is not None and not instance._state.adding:
        instance._counted_before = _stored_counts(sender, instance.pk) or (Counter(), None)  # type: ignore[attr-defined]
    else:
        instance._counted_before = (Counter(), None)  # type: ignore[attr-defined]


def _after_save(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    before = getattr(instance, "_counted_before", None)
    if before is None:
        return
    instance._counted_before = None  # type: ignore[attr-defined]
    old, old_status = before
    new, new_status = _instance_counts(instance)
    delta = Counter(new)
    delta.subtract(old)
    if sender is Person and (old_status == LIVING) != (new_status == LIVING) and old_status is not None:
        # The person's open tags count only while the person lives.
        sign = 1 if new_status == LIVING else -1
        for key, n in _open_tags_of(instance.pk).items():
            delta[key] += sign * n
    apply(delta)


def _before_delete(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    # A person's tags are deleted with it and each subtracts itself (the person is still stored
    # while the pre_delete signals run), so a person subtracts only its own counts.
    stored = _stored_counts(sender, instance.pk)
    if stored is not None:
        delta: Counter = Counter()
        delta.subtract(stored[0])
        apply(delta)


def connect() -> None:
    for model in _RELEVANT:
        pre_save.connect(_before_save, sender=model, dispatch_uid=f"counts-pre-{model.__name__}")
        post_save.connect(_after_save, sender=model, dispatch_uid=f"counts-post-{model.__name__}")
        pre_delete.connect(_before_delete, sender=model, dispatch_uid=f"counts-del-{model.__name__}")


# Rebuilding from the register ----------------------------------------------------------------


def count_by_grid() -> Delta:
    """Every count per grid, straight from the register (GROUP BY)."""
    counted: Counter = Counter()
    people = (
        Person.objects.filter(status=LIVING)
        .values("grid_id")
        .annotate(people=Count("id"), party=Count("id", filter=Q(political_status__in=PARTY)))
    )
    for row in people:
        counted[(row["grid_id"], PEOPLE)] = row["people"]
        counted[(row["grid_id"], PARTY_MEMBERS)] = row["party"]
    for grid, n in Person.objects.values_list("grid_id").annotate(n=Count("id")).order_by():
        counted[(grid, REGISTERED)] = n
    for grid, n in Household.objects.values_list("grid_id").annotate(n=Count("id")):
        counted[(grid, HOUSEHOLDS)] = n
    tags = (
        PersonTag.objects.filter(until__isnull=True, person__status=LIVING)
        .values_list("grid_id", "group_id")
        .annotate(n=Count("id"))
    )
    for grid, group, n in tags:
        counted[(grid, group_metric(group))] = n
    return counted


def rebuild_counts() -> int:
    """Recount everything from the register; returns the number of count rows."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Writers wait at their first count update until this commits, then add their change
            # on top; a writer that already updated a count is waited for before the register is read.
            with connection.cursor() as cursor:
                cursor.execute(
                    f"LOCK TABLE {connection.ops.quote_name(AreaCount._meta.db_table)} IN EXCLUSIVE MODE"
                )
        # On SQLite the DELETE takes the one write lock first, so the reads below see every commit.
        AreaCount.objects.all().delete()
        groups = KeyGroup.objects.values_list("pk", flat=True)
        metrics = [*BASE_METRICS, REGISTERED, *(group_metric(pk) for pk in groups)]
        totals: Counter = Counter(
            {(code, metric): 0 for code in Area.objects.values_list("code", flat=True) for metric in metrics}
        )
        for (grid, metric), n in count_by_grid().items():
            for code in area_chain(grid):
                totals[(code, metric)] += n
        AreaCount.objects.bulk_create(
            (
                AreaCount(area_code=code, parent_code=parent_code(code), metric=metric, value=value)
                for (code, metric), value in totals.items()
            ),
            batch_size=2000,
        )
    return len(totals)

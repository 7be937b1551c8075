"""Counts of every registered person per area (the `registered` metric of registry.counts), for
databases made before the metric existed: one GROUP BY over the register, added at every level."""

from collections import Counter

from django.db import migrations
from django.db.models import Count

LEVELS = (6, 9, 12, 15)


def add_registered(apps, schema_editor):
    Person = apps.get_model("registry", "Person")
    AreaCount = apps.get_model("registry", "AreaCount")
    totals: Counter = Counter()
    for grid, n in Person.objects.values_list("grid_id").annotate(n=Count("id")).order_by():
        for length in LEVELS:
            if length <= len(grid):
                totals[grid[:length]] += n
    AreaCount.objects.filter(metric="registered").delete()
    AreaCount.objects.bulk_create(
        (
            AreaCount(
                area_code=code, parent_code=code[:-3] if len(code) > 6 else "", metric="registered", value=n
            )
            for code, n in totals.items()
        ),
        batch_size=2000,
    )


def remove_registered(apps, schema_editor):
    apps.get_model("registry", "AreaCount").objects.filter(metric="registered").delete()


class Migration(migrations.Migration):
    dependencies = [("registry", "0005_person_list_order")]

    operations = [migrations.RunPython(add_registered, remove_registered)]

"""Seed the standard category tree and the 2025/2026 public-holiday calendar."""

from django.db import migrations


def forwards(apps, schema_editor):
    from gridwork.cases.seed import seed_calendar, seed_categories

    seed_categories(apps.get_model("cases", "Category"))
    seed_calendar(apps.get_model("cases", "WorkCalendarDay"))


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]

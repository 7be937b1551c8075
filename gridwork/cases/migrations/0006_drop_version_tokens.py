"""Drops the version tokens of 0003 and 0005 and the triggers that wrote them: categories, the work
calendar and the case lists are read where they are used, so nothing kept in a process needs them."""

from django.db import migrations

TOKEN_TABLES = {"cases_category", "cases_workcalendarday", "areas_area"}
EVENTS = ("insert", "update", "delete")


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for event in (*EVENTS, "truncate"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS cases_case_grid_version_{event} ON cases_case;")
        for table in TOKEN_TABLES:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_version ON {table};")
        schema_editor.execute("DROP FUNCTION IF EXISTS cases_new_grid_versions();")
        schema_editor.execute("DROP FUNCTION IF EXISTS cases_new_reference_version();")
    elif vendor == "sqlite":
        for event in EVENTS:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS cases_case_grid_version_{event};")
            for table in TOKEN_TABLES:
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_version_{event};")


class Migration(migrations.Migration):
    dependencies = [("cases", "0005_grid_versions")]

    # Not reversible: 0003 and 0005 would have to be run again to bring the triggers back.
    operations = [
        migrations.RunPython(drop_triggers, migrations.RunPython.noop),
        migrations.DeleteModel(name="GridVersion"),
        migrations.DeleteModel(name="ReferenceVersion"),
    ]

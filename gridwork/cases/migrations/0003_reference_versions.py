"""A version token per kind of reference data, replaced by triggers on every write to its table.

Triggers rather than signals: queryset updates, bulk writes, the admin, data migrations and other
processes all change the token, so no process keeps categories or calendar days that are outdated.
"""

import secrets

from django.db import migrations, models

TABLES = {"category": "cases_category", "calendar": "cases_workcalendarday"}
SQLITE_TOKEN = "lower(hex(randomblob(16)))"


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            """
            CREATE OR REPLACE FUNCTION cases_new_reference_version() RETURNS trigger AS $$
            BEGIN
                INSERT INTO cases_referenceversion (name, token)
                VALUES (TG_ARGV[0], md5(random()::text || clock_timestamp()::text))
                ON CONFLICT (name) DO UPDATE SET token = EXCLUDED.token;
                RETURN NULL;
            END;
            $$ LANGUAGE plpgsql;
            """
        )
        for name, table in TABLES.items():
            schema_editor.execute(
                f"CREATE TRIGGER {table}_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION cases_new_reference_version('{name}');"
            )
    elif vendor == "sqlite":
        for name, table in TABLES.items():
            for event in ("INSERT", "UPDATE", "DELETE"):
                schema_editor.execute(
                    f"CREATE TRIGGER {table}_version_{event.lower()} AFTER {event} ON {table} BEGIN "
                    f"INSERT OR REPLACE INTO cases_referenceversion (name, token) "
                    f"VALUES ('{name}', {SQLITE_TOKEN}); END;"
                )
    else:
        # Without triggers no token is ever written, and gridwork.cases.reference reads every time.
        return
    version = apps.get_model("cases", "ReferenceVersion")
    for name in TABLES:
        version.objects.update_or_create(name=name, defaults={"token": secrets.token_hex(16)})


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in TABLES.values():
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_version ON {table};")
        elif vendor == "sqlite":
            for event in ("insert", "update", "delete"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_version_{event};")


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_seed")]

    operations = [
        migrations.CreateModel(
            name="ReferenceVersion",
            fields=[
                ("name", models.CharField(max_length=20, primary_key=True, serialize=False)),
                ("token", models.CharField(max_length=40)),
            ],
        ),
        migrations.RunPython(create, drop),
    ]

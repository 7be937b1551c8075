"""A token per grid that database triggers replace on every write to a case of that grid, and a
reference token for the areas (their names appear on the case lists kept under the grid tokens).
On SQLite the triggers write with an upsert, and 0003's are made again so: a trigger's INSERT OR
REPLACE turns into the firing statement's own conflict clause (INSERT OR IGNORE: no new token).

Triggers, as for the reference tokens (0003): queryset updates, bulk writes, raw SQL, the admin and
other processes all replace the tokens, so no process keeps a list of cases that is outdated. On
PostgreSQL one statement-level trigger per event replaces the token of each grid the statement
touched (transition tables), in grid order so that two writers never wait on each other in a cycle.
"""

from django.db import migrations, models

SQLITE_TOKEN = "lower(hex(randomblob(8)))"
PG_TOKEN = "md5(random()::text || clock_timestamp()::text || grid_code)"
EVENTS = ("insert", "update", "delete")
REFERENCE_TABLES = {"category": "cases_category", "calendar": "cases_workcalendarday"}  # as in 0003


def _pg_upsert(source: str) -> str:
    return (
        f"INSERT INTO cases_gridversion (grid_code, token) SELECT grid_code, {PG_TOKEN} "
        f"FROM ({source}) AS touched ORDER BY grid_code "
        "ON CONFLICT (grid_code) DO UPDATE SET token = EXCLUDED.token;"
    )


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            f"""
            CREATE OR REPLACE FUNCTION cases_new_grid_versions() RETURNS trigger AS $$
            BEGIN
                IF TG_OP = 'INSERT' THEN
                    {_pg_upsert("SELECT DISTINCT grid_code FROM changed_new")}
                ELSIF TG_OP = 'UPDATE' THEN
                    {_pg_upsert("SELECT grid_code FROM changed_old UNION SELECT grid_code FROM changed_new")}
                ELSIF TG_OP = 'DELETE' THEN
                    {_pg_upsert("SELECT DISTINCT grid_code FROM changed_old")}
                ELSE
                    UPDATE cases_gridversion SET token = {PG_TOKEN};
                END IF;
                RETURN NULL;
            END;
            $$ LANGUAGE plpgsql;
            """
        )
        tables = {
            "insert": "REFERENCING NEW TABLE AS changed_new",
            "update": "REFERENCING OLD TABLE AS changed_old NEW TABLE AS changed_new",
            "delete": "REFERENCING OLD TABLE AS changed_old",
            "truncate": "",
        }
        for event, referencing in tables.items():
            schema_editor.execute(
                f"CREATE TRIGGER cases_case_grid_version_{event} AFTER {event.upper()} ON cases_case "
                f"{referencing} FOR EACH STATEMENT EXECUTE FUNCTION cases_new_grid_versions();"
            )
        schema_editor.execute(
            f"INSERT INTO cases_gridversion (grid_code, token) SELECT grid_code, {PG_TOKEN} "
            "FROM (SELECT DISTINCT grid_code FROM cases_case) AS g;"
        )
        schema_editor.execute(
            "CREATE TRIGGER areas_area_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON areas_area "
            "FOR EACH STATEMENT EXECUTE FUNCTION cases_new_reference_version('area');"
        )
        schema_editor.execute(
            "INSERT INTO cases_referenceversion (name, token) "
            "VALUES ('area', md5(random()::text || clock_timestamp()::text)) "
            "ON CONFLICT (name) DO UPDATE SET token = EXCLUDED.token;"
        )
    elif vendor == "sqlite":
        # An upsert, not INSERT OR REPLACE: the conflict clause of the statement that fires a trigger
        # overrides the trigger's own (an INSERT OR IGNORE of a case would keep the old token).
        replace = (
            f"INSERT INTO cases_gridversion (grid_code, token) VALUES ({{}}.grid_code, {SQLITE_TOKEN}) "
            "ON CONFLICT (grid_code) DO UPDATE SET token = excluded.token;"
        )
        bodies = {
            "insert": replace.format("NEW"),
            "update": replace.format("OLD") + " " + replace.format("NEW"),
            "delete": replace.format("OLD"),
        }
        for event, body in bodies.items():
            schema_editor.execute(
                f"CREATE TRIGGER cases_case_grid_version_{event} AFTER {event.upper()} ON cases_case BEGIN {body} END;"
            )
        schema_editor.execute(
            f"INSERT INTO cases_gridversion (grid_code, token) SELECT grid_code, {SQLITE_TOKEN} "
            "FROM (SELECT DISTINCT grid_code FROM cases_case);"
        )
        # The areas' token, and the reference tokens of 0003 made again the same way (an upsert).
        for name, table in {**REFERENCE_TABLES, "area": "areas_area"}.items():
            for event in EVENTS:
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_version_{event};")
                schema_editor.execute(
                    f"CREATE TRIGGER {table}_version_{event} AFTER {event.upper()} ON {table} BEGIN "
                    f"INSERT INTO cases_referenceversion (name, token) VALUES ('{name}', {SQLITE_TOKEN}) "
                    "ON CONFLICT (name) DO UPDATE SET token = excluded.token; END;"
                )
        schema_editor.execute(
            f"INSERT OR REPLACE INTO cases_referenceversion (name, token) VALUES ('area', {SQLITE_TOKEN});"
        )
    # Other databases get no triggers: no token is written and nothing is kept (read every time).


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for event in (*EVENTS, "truncate"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS cases_case_grid_version_{event} ON cases_case;")
        schema_editor.execute("DROP FUNCTION IF EXISTS cases_new_grid_versions();")
        schema_editor.execute("DROP TRIGGER IF EXISTS areas_area_version ON areas_area;")
    elif vendor == "sqlite":
        for event in EVENTS:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS cases_case_grid_version_{event};")
            schema_editor.execute(f"DROP TRIGGER IF EXISTS areas_area_version_{event};")
        # 0003's triggers stay, in their upsert form (the same effect).
    schema_editor.execute("DELETE FROM cases_referenceversion WHERE name = 'area';")


class Migration(migrations.Migration):
    dependencies = [("cases", "0004_case_queue_index")]

    operations = [
        migrations.CreateModel(
            name="GridVersion",
            fields=[
                ("grid_code", models.CharField(max_length=15, primary_key=True, serialize=False)),
                ("token", models.CharField(max_length=40)),
            ],
        ),
        migrations.RunPython(create, drop),
    ]

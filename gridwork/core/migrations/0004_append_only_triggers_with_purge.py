"""The database itself refuses UPDATE and DELETE on the audit log and the record history, on
PostgreSQL and on SQLite, with one exception: `gridwork purge_audit` deleting audit entries past
their retention.

How the purge gets through: inside its transaction the command writes one row per kind of entry
into core_auditpurgewindow (the kind and the time before which entries of that kind may go), runs
its DELETE, and deletes those rows again before it commits. The DELETE trigger lets a row go only
when a window row of its kind covers its time. The same mechanism on both databases: a PostgreSQL
transaction-local setting would do there, but SQLite has no session settings a trigger could read,
and a table works on both. Another transaction never sees the window rows (PostgreSQL: not yet
committed; SQLite: one writer at a time), so they open nothing beyond the purge itself.

TRUNCATE fires no row trigger on PostgreSQL; a production database role should not be granted
TRUNCATE on these tables (Django's test flush uses it, which is why it is not refused here).
"""

from django.db import migrations

AUDIT, HISTORY = "core_auditevent", "core_recordhistory"
WINDOW = "core_auditpurgewindow"

PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION gridwork_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND TG_TABLE_NAME = '{AUDIT}' AND EXISTS (
        SELECT 1 FROM {WINDOW} w WHERE w.action = OLD.action AND OLD.at < w.before
    ) THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
"""

PG_FUNCTION_BEFORE = """
CREATE OR REPLACE FUNCTION gridwork_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
"""


def _sqlite_triggers() -> list[str]:
    statements = []
    for table in (AUDIT, HISTORY):
        statements.append(
            f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END;"
        )
    statements.append(
        f"CREATE TRIGGER {AUDIT}_no_delete BEFORE DELETE ON {AUDIT} "
        f"WHEN NOT EXISTS (SELECT 1 FROM {WINDOW} w WHERE w.action = OLD.action AND OLD.at < w.before) "
        f"BEGIN SELECT RAISE(ABORT, '{AUDIT} is append-only'); END;"
    )
    statements.append(
        f"CREATE TRIGGER {HISTORY}_no_delete BEFORE DELETE ON {HISTORY} "
        f"BEGIN SELECT RAISE(ABORT, '{HISTORY} is append-only'); END;"
    )
    return statements


SQLITE_TRIGGER_NAMES = [
    f"{AUDIT}_no_update",
    f"{HISTORY}_no_update",
    f"{AUDIT}_no_delete",
    f"{HISTORY}_no_delete",
]


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        # no client-side interpolation: the % in RAISE is PL/pgSQL's own placeholder
        schema_editor.execute(PG_FUNCTION, params=None)
    elif vendor == "sqlite":
        for statement in _sqlite_triggers():
            schema_editor.execute(statement, params=None)


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FUNCTION_BEFORE, params=None)
    elif vendor == "sqlite":
        for name in SQLITE_TRIGGER_NAMES:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name};")


class Migration(migrations.Migration):
    dependencies = [("core", "0003_audit_purge_window_and_read_actions")]
    operations = [migrations.RunPython(create, drop)]

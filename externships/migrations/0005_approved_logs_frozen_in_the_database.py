# Approved logs are frozen in the database too, not only by the services, the models' save() and
# delete() and their QuerySet (externships/models.py): a script, the shell or raw SQL cannot change
# or delete an approved log either. The product never writes an approved log again: a decision
# is taken on a pending or needs-info log, and a correction is a NEW row whose `corrects` names
# the approved one, which stays as it was. Inserts are never stopped (the demo's bulk loader
# writes logs already approved).
#
# PostgreSQL: one row trigger per log table, BEFORE UPDATE OR DELETE of a row whose status is
# approved. TRUNCATE (Django's flush, test teardown) fires no row trigger and empties the table.
# SQLite: BEFORE UPDATE only. Its flush (test teardown, `manage.py flush`) is DELETE FROM each
# table, which a delete trigger would stop; there the models' delete() and QuerySet.delete()
# refuse, inside the write lock. SQLite drops a table's triggers when a migration rebuilds the
# table (most AlterField, AddConstraint): such a migration must create them again
# (tests/externships/test_frozen_logs.py fails until it does).
# Both refuse with an IntegrityError that starts "approved logs are frozen"; the models turn it
# into ApprovedLogFrozen (409 through the API).

from django.db import migrations

TABLES = ("externships_hourlog", "externships_procedurelog")

POSTGRESQL_FUNCTION = """
CREATE OR REPLACE FUNCTION externships_approved_log_frozen() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'approved logs are frozen: % on % (id %) refused',
        TG_OP, TG_TABLE_NAME, OLD.id
        USING ERRCODE = 'integrity_constraint_violation',
              HINT = 'A correction is a new log that refers to the approved one (corrects).';
END
$$
"""

POSTGRESQL_TRIGGER = """
CREATE TRIGGER approved_log_frozen BEFORE UPDATE OR DELETE ON {table}
FOR EACH ROW WHEN (OLD.status = 'approved')
EXECUTE FUNCTION externships_approved_log_frozen()
"""

SQLITE_TRIGGER = """
CREATE TRIGGER {table}_approved_frozen BEFORE UPDATE ON {table}
FOR EACH ROW WHEN OLD.status = 'approved'
BEGIN
    SELECT RAISE(ABORT, 'approved logs are frozen: UPDATE on {table} refused');
END
"""


def freeze(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_FUNCTION, params=None)
        for table in TABLES:
            schema_editor.execute(POSTGRESQL_TRIGGER.format(table=table), params=None)
    elif vendor == "sqlite":
        for table in TABLES:
            schema_editor.execute(SQLITE_TRIGGER.format(table=table), params=None)


def thaw(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS approved_log_frozen ON {table}")
        elif vendor == "sqlite":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_approved_frozen")
    if vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS externships_approved_log_frozen()")


class Migration(migrations.Migration):

    dependencies = [
        ("externships", "0004_hour_log_overnight_shifts"),
    ]

    operations = [
        migrations.RunPython(freeze, thaw),
    ]

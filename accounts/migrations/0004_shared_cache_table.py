"""The database cache's table: where throttle counts and failed sign-ins are shared by every
process when REDIS_URL is unset (settings.CACHES). Made whatever REDIS_URL says today, so that
unsetting it later finds the table in place."""

from django.core.management import call_command
from django.db import migrations

TABLE = "pathway_cache"  # settings.CACHES["default"]["LOCATION"] without REDIS_URL


def create_table(apps, schema_editor):
    # Django's own command: the exact table its DatabaseCache expects; skipped when it exists.
    call_command("createcachetable", TABLE, database=schema_editor.connection.alias, verbosity=0)


def drop_table(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(TABLE)}")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_time_zone_empty_when_unknown")]

    operations = [migrations.RunPython(create_table, drop_table)]

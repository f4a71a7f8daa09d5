"""Trigram indexes for the registry search (``?q=``) on PostgreSQL; nothing on SQLite.

The search is ``code ILIKE %q% OR name ILIKE %q%`` (Django's icontains: ``UPPER(x) LIKE
UPPER(%q%)``); a B-tree cannot serve a leading wildcard, a pg_trgm GIN index on the same
expressions can.
"""

from django.db import migrations

INDEXES = {
    "river_name_trgm": "UPPER(name::text)",
    "river_code_trgm": "UPPER(code::text)",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, expression in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON rivers_river USING gin "
            f"(({expression}) gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("rivers", "0002_district_scale")]

    operations = [migrations.RunPython(create, drop, elidable=False)]

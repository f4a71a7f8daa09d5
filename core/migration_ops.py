"""Migration operations shared by the apps' migrations."""

from django.db import migrations


def postgres_index_concurrently(name: str, on: str) -> migrations.RunPython:
    """``CREATE INDEX CONCURRENTLY name ON on`` on PostgreSQL (dropped likewise on the way
    back); nothing on SQLite, whose plans read its small tables anyway. The migration using it
    sets ``atomic = False``: an index built CONCURRENTLY leaves the table writable meanwhile,
    and PostgreSQL refuses to build one inside a transaction."""

    def create(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON {on}")

    def drop(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")

    return migrations.RunPython(create, drop, elidable=False)

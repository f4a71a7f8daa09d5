"""The change notes that page maps are checked against (core/page_map.py), PostgreSQL only.

A small table of (table name, writing transaction) rows, one per write statement on a watched
table, and the trigger function that writes them; the triggers themselves are installed on
every watched table after each ``migrate`` (``core.page_map.install_triggers``), so a table a
later migration adds is watched too. Nothing on SQLite: its lists keep the OFFSET.
"""

from django.db import migrations

CREATE = """
CREATE TABLE IF NOT EXISTS core_listchange (
    tbl text NOT NULL,
    xid xid8 NOT NULL DEFAULT pg_current_xact_id()
);
CREATE INDEX IF NOT EXISTS core_listchange_tbl_xid ON core_listchange (tbl, xid);
CREATE OR REPLACE FUNCTION core_note_list_change() RETURNS trigger LANGUAGE plpgsql
-- The schema of the table, whatever the writer's search_path (pg_dump's restore empties it).
SET search_path FROM CURRENT AS $$
BEGIN
    INSERT INTO core_listchange (tbl) VALUES (TG_TABLE_NAME);
    RETURN NULL;
END
$$;
"""

DROP = """
DO $$
DECLARE t record;
BEGIN
    FOR t IN SELECT c.relname FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid
             WHERE g.tgname = 'core_list_change' LOOP
        EXECUTE format('DROP TRIGGER core_list_change ON %I', t.relname);
    END LOOP;
END
$$;
DROP FUNCTION IF EXISTS core_note_list_change();
DROP TABLE IF EXISTS core_listchange;
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("core", "0002_token_expiry")]

    operations = [migrations.RunPython(create, drop)]

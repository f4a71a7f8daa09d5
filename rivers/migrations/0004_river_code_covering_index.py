"""A covering index for the registry in code order on PostgreSQL; nothing on SQLite.

A page of the river list by code (the API's default order, and the registry's) far from the
start reads the ids of the rows it skips first (``core.pagination.page_rows``): the scope is a
test on each river's region and id. With only the code's unique index, PostgreSQL visits every
skipped river's row in the table for its region (``?page=900`` of the district's 50,000
rivers: 45,051 heap rows, 8,700 pages read, 68-110 ms). With the region and id in the index it
is an index-only scan (no heap fetches once vacuumed): 23 ms (EXPLAIN ANALYZE, bench/district.py).

Built CONCURRENTLY (the migration is not atomic), so the registry stays writable meanwhile.
SQLite has no INCLUDE columns; its plans read the table anyway.
"""

from django.db import migrations

from core.migration_ops import postgres_index_concurrently


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("rivers", "0003_river_search_trigram")]

    operations = [postgres_index_concurrently("river_code_covering", "rivers_river (code) INCLUDE (region_id, id)")]

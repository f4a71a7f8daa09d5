"""An index on the patrols' region, chief and recorder on PostgreSQL; nothing on SQLite.

A village chief sees the patrols they made or recorded (``PatrolQuerySet.visible_to``): the
list counts ``region = X AND (chief's user = U OR recorded_by = U)``. With only the region's
indexes PostgreSQL read every patrol of the village from the table to test the other two
(5,082 rows, 4,582 pages, 7-11 ms for a village of bench_big); with the three columns in one
index the count is an index-only scan of it: 10 pages, about 1 ms (EXPLAIN ANALYZE).

Built CONCURRENTLY (the migration is not atomic), so patrols stay writable meanwhile. SQLite
reads its small tables anyway.
"""

from django.db import migrations

from core.migration_ops import postgres_index_concurrently


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("patrols", "0005_patrol_region_started_index")]

    operations = [postgres_index_concurrently("patrol_region_chief", "patrols_patrol (region_id, chief_id, recorded_by_id)")]

"""A village's orders by status on PostgreSQL: the village chief's home and order list.

A village chief's orders are ``target_chief in (theirs) OR target_village = V`` and open.
With only the village's index, PostgreSQL ANDed the village's bitmap with the open orders
of the whole district (``directive_status_deadline``: ~25,000 entries, 90 pages) for each
of the home's two order queries (2.6 and 2.5 ms); with (target_village, status) it reads the
village's open orders alone (132 entries, 15 pages): 0.4 and 0.8 ms (EXPLAIN ANALYZE,
bench_big, a village chief of town 310199010).

Built CONCURRENTLY (the migration is not atomic), so orders can be issued meanwhile.
SQLite's plans read its small tables anyway.
"""

from django.db import migrations

from core.migration_ops import postgres_index_concurrently


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("directives", "0005_board_status_deadline_index")]

    operations = [
        postgres_index_concurrently(
            "directive_village_status", "directives_directive (target_village_id, status)"
        )
    ]

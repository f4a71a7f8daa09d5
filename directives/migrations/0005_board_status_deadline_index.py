"""The board's index on PostgreSQL: a town's orders by status and deadline; nothing on SQLite.

The board counts a town's orders by status (overdue and due soon among them) and reads each
open column's first orders by deadline. With only (town, status), the count visited every
one of the town's ~4,900 orders in the table (2,528 heap pages, 5.2 ms) and each column
sorted its ~300 orders; with the deadline, serial and id in the index, the count is an
index-only scan (35 pages, 1.3 ms) and a column's first 20 are the index's first 20
(EXPLAIN ANALYZE, bench_big).

Built CONCURRENTLY (the migration is not atomic), so orders can be issued meanwhile.
SQLite's plans read its small tables anyway.
"""

from django.db import migrations

from core.migration_ops import postgres_index_concurrently


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("directives", "0004_board_closed_total_order")]

    operations = [postgres_index_concurrently("directive_town_status_deadline", "directives_directive (town_id, status, deadline, serial, id)")]

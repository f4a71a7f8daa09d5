"""Inserting checked samples with their history rows, one chunk at a time.

PostgreSQL: the chunk's ids are taken from the table's sequence in one query, then the samples
and their history rows ("+", by whom, why) go in with two COPYs: no model instance is built,
which is where a 100,000-row import spent most of its time. Other databases (SQLite in
development and tests): ``bulk_create_with_history``, the same rows. Either way a constant
number of statements per chunk, and the caller's transaction decides: nothing is committed
here.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from datetime import datetime

from django.db import connection
from simple_history.utils import bulk_create_with_history

from monitoring.labfile import SampleRow
from monitoring.models import (
    STAMP_FIELDS,
    VALUE_FIELDS,
    MonitoringPoint,
    Sample,
    river_rules,
    stamp_of,
)

Ready = Sequence[tuple[SampleRow, MonitoringPoint]]

# The sample's columns in the order ``_sample_values`` gives them; a test checks that they are
# exactly the model's, so a new field cannot be left out silently.
SAMPLE_COLUMNS = (
    "id",
    "point_id",
    "sampled_at",
    "sampler",
    "lab",
    "sampling_depth_m",
    "water_depth_cm",
    "client_key",
    "source",
    "import_job_id",
    "created_by_id",
    "created_at",
    "updated_at",
    *VALUE_FIELDS,
    *STAMP_FIELDS,  # the sample's assessment (Sample.stamp), not kept in its history
)
HISTORY_COLUMNS = SAMPLE_COLUMNS[: -len(STAMP_FIELDS)]
DETAIL = SAMPLE_COLUMNS.index("assessment_detail")
HISTORY_EXTRA = ("history_date", "history_change_reason", "history_type", "history_user_id")


def history_model():
    return Sample.history.model


def _sample_values(pk: int | None, row: SampleRow, point: MonitoringPoint, fixed: tuple) -> list:
    values = row.values
    water_type, target = river_rules(point.river)
    stamp = stamp_of(
        values, water_depth_cm=row.water_depth_cm, water_type=water_type, target_class=target
    )
    return [
        pk,
        point.id,
        row.sampled_at,
        row.sampler[:50],
        row.lab[:100],
        row.sampling_depth_m,
        row.water_depth_cm,
        row.client_key or None,
        *fixed,
        *[values.get(code) for code in VALUE_FIELDS],
        *[stamp[name] for name in STAMP_FIELDS],
    ]


def insert_samples(
    ready: Ready, *, by, source: str, job=None, now: datetime, change_reason: str | None = None
) -> int:
    """Insert ``ready`` (checked rows and their points) and their history; the number inserted.

    Raises django.db.IntegrityError when a row clashes with one committed meanwhile (the
    unique point/time or client key): the caller's transaction then rolls everything back.
    """
    if not ready:
        return 0
    fixed = (source, job.pk if job else None, by.pk if by else None, now, now)
    if connection.vendor == "postgresql":
        return _copy(ready, by=by, fixed=fixed, now=now, reason=change_reason or source)
    objs = [
        Sample(**dict(zip(SAMPLE_COLUMNS, _sample_values(None, row, point, fixed), strict=True)))
        for row, point in ready
    ]
    bulk_create_with_history(
        objs,
        Sample,
        batch_size=len(objs),
        default_user=by,
        default_change_reason=change_reason or source,
        default_date=now,
    )
    return len(objs)


def _copy(ready: Ready, *, by, fixed: tuple, now: datetime, reason: str) -> int:
    table = Sample._meta.db_table
    history_fixed = (now, reason, "+", by.pk if by else None)
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [table, len(ready)],
        )
        ids = [pk for (pk,) in cursor.fetchall()]
        rows = [
            _sample_values(pk, row, point, fixed)
            for pk, (row, point) in zip(ids, ready, strict=True)
        ]
        raw = cursor.cursor
        for r in rows:
            r[DETAIL] = json.dumps(r[DETAIL])  # COPY reads jsonb from its text
        _copy_rows(raw, table, SAMPLE_COLUMNS, rows, qn, lambda r: r)
        history = len(HISTORY_COLUMNS)
        _copy_rows(
            raw,
            history_model()._meta.db_table,
            (*HISTORY_COLUMNS, *HISTORY_EXTRA),
            rows,
            qn,
            lambda r: (*r[:history], *history_fixed),
        )
    return len(rows)


def _copy_rows(raw, table: str, columns: Sequence[str], rows: list, qn, shape: Callable) -> None:
    sql = f"COPY {qn(table)} ({', '.join(qn(c) for c in columns)}) FROM STDIN"
    start = time.monotonic()
    with connection.wrap_database_errors, raw.copy(sql) as copy:
        for row in rows:
            copy.write_row(shape(row))
    if connection.queries_logged:
        # Counted like any other statement, so tests asserting queries per chunk see it.
        connection.queries_log.append(
            {"sql": f"{sql} -- {len(rows)} rows", "time": f"{time.monotonic() - start:.3f}"}
        )

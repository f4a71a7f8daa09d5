"""Stamping samples again: their stored assessment (``Sample.stamp``) computed anew.

A stamp is read only under the rules it was computed with (``models.assessment_basis``), so a
stale one is never shown: it is computed live instead. Stamping again puts the lists back on
the stored figures after those rules change: a river's target class or water type, a point
moved to another river (``signals``, after the change commits), the DO Class I rule setting or
``ASSESSMENT_VERSION`` (``manage.py restamp_samples``), and the migration that added the stamp.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from django.db import connections, router, transaction

from monitoring.models import STAMP_FIELDS, VALUE_FIELDS, Sample, assessment_basis, stamp_of

CHUNK = 2000


def _stamps(rows, *, every: bool) -> list[tuple]:
    """(id, *STAMP_FIELDS) of each row whose stamp is not of the rules it should be (of
    every row with ``every``)."""
    out = []
    for pk, depth, water_type, target, assessed_as, *values in rows:
        water_type = water_type or "river"
        if assessed_as == assessment_basis(water_type, target) and not every:
            continue
        measured = {c: v for c, v in zip(VALUE_FIELDS, values, strict=True) if v is not None}
        stamp = stamp_of(measured, water_depth_cm=depth, water_type=water_type, target_class=target)
        out.append((pk, *(stamp[f] for f in STAMP_FIELDS)))
    return out


def _write(alias: str, stamps: list[tuple]) -> None:
    connection = connections[alias]
    qn = connection.ops.quote_name
    table = qn(Sample._meta.db_table)
    rows = [(pk, wc, bo, json.dumps(a), basis) for pk, wc, bo, a, basis in stamps]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One statement a chunk: the rows' new stamps joined in from a VALUES list.
            one = "(%s::bigint, %s::smallint, %s::smallint, %s::jsonb, %s::varchar)"
            cursor.execute(
                f"UPDATE {table} AS s SET water_class = v.wc, black_odour = v.bo, "
                f"assessment_detail = v.a, assessed_as = v.b "
                f"FROM (VALUES {', '.join([one] * len(rows))}) AS v(id, wc, bo, a, b) "
                f"WHERE s.id = v.id",
                [x for row in rows for x in row],
            )
        else:
            cursor.executemany(
                f"UPDATE {table} SET water_class = %s, black_odour = %s, assessment_detail = %s, "
                f"assessed_as = %s WHERE id = %s",
                [(wc, bo, a, basis, pk) for pk, wc, bo, a, basis in rows],
            )


def restamp(
    *,
    river_ids: Iterable[int] | None = None,
    point_ids: Iterable[int] | None = None,
    every: bool = False,
    using: str | None = None,
) -> int:
    """Stamp again the samples whose stamp is missing or of other rules (all of them with
    ``every``), on these rivers or at these points (everywhere when neither is given).
    Returns how many were stamped. Two statements a chunk of ``CHUNK`` samples; each chunk
    commits on its own (a stamp is right or read live, never wrong), so a district's
    500,000 samples do not sit in one transaction.
    """
    alias = using or router.db_for_write(Sample)
    samples = Sample.objects.using(alias)
    if river_ids is not None:
        samples = samples.filter(point__river_id__in=list(river_ids))
    if point_ids is not None:
        samples = samples.filter(point_id__in=list(point_ids))
    done, last = 0, 0
    while True:
        rows = list(
            samples.filter(pk__gt=last)
            .order_by("pk")
            .values_list(
                "pk",
                "water_depth_cm",
                "point__river__water_type",
                "point__river__target_class",
                "assessed_as",
                *VALUE_FIELDS,
            )[:CHUNK]
        )
        if not rows:
            return done
        last = rows[-1][0]
        stamps = _stamps(rows, every=every)
        if stamps:
            with transaction.atomic(using=alias):
                _write(alias, stamps)
            done += len(stamps)

"""Patrols at district scale: duty table, statistics and list against a large synthetic district.

    .venv/bin/python bench/patrols_duty.py [--towns 10] [--patrols-per-chief 40]

Uses DATABASE_URL if set (give it an empty database), else a fresh SQLite file under var/. Builds a district of towns with
villages, chiefs, rivers and a year of patrols (bulk_create), then times duty_for() for every
chief in a month, patrol_stats() for each grouping and the first page of the patrol list, and
prints the number of queries of each (which must not grow with the data).
"""

import argparse
import random
import time
import uuid
from datetime import UTC, date, datetime, timedelta

from _setup import setup_django


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--towns", type=int, default=10)
    parser.add_argument("--villages", type=int, default=15)
    parser.add_argument("--patrols-per-chief", type=int, default=40)
    args = parser.parse_args()

    setup_django("bench-patrols.sqlite3", fresh=True)
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    call_command("migrate", verbosity=0)

    from core.models import Region, User
    from patrols.models import Patrol
    from patrols.selectors import duty_for, patrol_stats, patrols_for
    from rivers.models import Chief, ChiefAssignment, River, fill_river_codes

    rng = random.Random(1)
    t0 = time.monotonic()
    district = Region.objects.create(code="310199", name="基准区", kind="district")
    towns = Region.objects.bulk_create(
        Region(code=f"310199{100 + t:03d}", name=f"镇{t}", kind="town", parent=district)
        for t in range(args.towns)
    )
    villages = Region.objects.bulk_create(
        Region(
            code=f"{town.code}{200 + v:03d}", name=f"{town.name}村{v}", kind="village", parent=town
        )
        for town in towns
        for v in range(args.villages)
    )
    homes = [(town, "town") for town in towns for _ in range(9)] + [
        (v, "village") for v in villages for _ in range(3)
    ]
    users = User.objects.bulk_create(
        User(username=f"b{i:05d}", role=f"{lvl}_chief", region=r, password="!")
        for i, (r, lvl) in enumerate(homes)
    )
    chiefs = Chief.objects.bulk_create(
        Chief(user=u, level=lvl, region=r) for u, (r, lvl) in zip(users, homes, strict=True)
    )
    rivers = River.objects.bulk_create(
        River(code=f"B{i:05d}", name=f"河{i}", level=c.level, length_km=2, region=c.region)
        for i, c in enumerate(chiefs)
    )
    ChiefAssignment.objects.bulk_create(
        ChiefAssignment(chief=c, river=r, level=c.level, start_date=date(2017, 1, 1))
        for c, r in zip(chiefs, rivers, strict=True)
    )
    fill_river_codes(ChiefAssignment.objects.all())
    office = User.objects.create(username="bench-office", role="office", region=district)
    start = datetime(2018, 1, 1, tzinfo=UTC)
    patrols = []
    for c, r in zip(chiefs, rivers, strict=True):
        for _ in range(args.patrols_per_chief):
            at = start + timedelta(minutes=rng.randrange(365 * 24 * 60))
            patrols.append(
                Patrol(
                    client_id=uuid.uuid4(),
                    chief=c,
                    region=c.region,
                    level=c.level,
                    river=r,
                    recorded_by=c.user,
                    status="finished",
                    started_at=at,
                    ended_at=at + timedelta(minutes=rng.randint(20, 90)),
                    distance_m=rng.randint(800, 4000),
                    flags=[] if rng.random() > 0.05 else ["too_short"],
                )
            )
    Patrol.objects.bulk_create(patrols, batch_size=5000)
    # What autovacuum does soon after a bulk load on PostgreSQL: plans need statistics.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"built {len(chiefs):,} chiefs, {len(patrols):,} patrols in {time.monotonic() - t0:.1f} s"
        f" on {connection.vendor}"
    )

    def measure(label, fn, repeat=3):
        best = None
        for _ in range(repeat):
            with CaptureQueriesContext(connection) as q:
                t = time.monotonic()
                result = fn()
                elapsed = time.monotonic() - t
            best = elapsed if best is None else min(best, elapsed)
        print(f"{label:<48} {best * 1000:8.1f} ms  {len(q.captured_queries):3d} queries")
        return result

    all_chiefs = list(Chief.objects.select_related("user", "region"))
    duties = measure(
        f"duty_for {len(all_chiefs):,} chiefs, 2018-03",
        lambda: duty_for(chiefs=all_chiefs, month=date(2018, 3, 1)),
    )
    print(f"  behind in 2018-03: {sum(d.behind for d in duties.values()):,} chiefs")
    for group in ("level", "village", "chief", "month"):
        stats = measure(
            f"patrol_stats 2018 by {group}",
            lambda group=group: patrol_stats(user=office, year=2018, group=group),
        )
    for sentence in stats.sentences:
        print("  " + sentence)
    measure(
        "patrol list, first page of 30 (with count)",
        lambda: (patrols_for(user=office).count(), list(patrols_for(user=office)[:30])),
    )


if __name__ == "__main__":
    main()

"""Supervision orders at district scale: the alert job, the board and the API list.

    .venv/bin/python bench/directives_alerts.py [--towns 10] [--orders-per-town 10000]

Uses DATABASE_URL if set (give it an empty database), else a fresh SQLite file under var/.
Builds a district of towns with villages, chiefs and rivers, a large archive of closed orders
and a few hundred orders still owed around today's date (bulk_create), then times the alert
job (first run, and a second run that must send nothing), the office board of one town and
``order_counts_for_rivers`` for every river, printing the number of queries of each: the
alert job's reads must not grow with the archive.
"""

import argparse
import random
import time
from datetime import timedelta

from _setup import setup_django


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--towns", type=int, default=10)
    parser.add_argument("--villages", type=int, default=15)
    parser.add_argument("--orders-per-town", type=int, default=10_000)
    parser.add_argument("--due-per-town", type=int, default=30)
    args = parser.parse_args()

    setup_django("bench-directives.sqlite3", fresh=True)
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    call_command("migrate", verbosity=0)

    from core.models import Region, User
    from directives import selectors
    from directives.models import Directive, Status
    from directives.services import send_deadline_alerts
    from rivers.models import Chief, River

    rng = random.Random(1)
    today = timezone.localdate()
    t0 = time.monotonic()
    district = Region.objects.create(code="310199", name="基准区", kind="district")
    towns = Region.objects.bulk_create(
        Region(code=f"310199{100 + t:03d}", name=f"镇{t}镇", kind="town", parent=district)
        for t in range(args.towns)
    )
    villages = Region.objects.bulk_create(
        Region(
            code=f"{town.code}{200 + v:03d}", name=f"{town.name}村{v}", kind="village", parent=town
        )
        for town in towns
        for v in range(args.villages)
    )
    users = User.objects.bulk_create(
        [User(username=f"office{t.code}", role="office", region=t) for t in towns]
        + [User(username=f"chief{v.code}", role="village_chief", region=v) for v in villages]
    )
    office = {u.region_id: u for u in users if u.role == "office"}
    by_username = {u.username: u for u in users}
    Chief.objects.bulk_create(
        Chief(user=by_username[f"chief{v.code}"], level="village", region=v) for v in villages
    )
    rivers = River.objects.bulk_create(
        River(
            code=f"B{v.code}-{r}",
            name=f"河{v.code[-3:]}{r}",
            level="village",
            length_km=1,
            region=v,
        )
        for v in villages
        for r in range(4)
    )
    rivers_of = {}
    for river in rivers:
        rivers_of.setdefault(river.region_id, []).append(river)
    rows = []
    for town in towns:
        town_villages = [v for v in villages if v.parent_id == town.pk]
        for serial in range(1, args.orders_per_town + args.due_per_town + 1):
            village = rng.choice(town_villages)
            due = serial > args.orders_per_town
            issued = (
                today - timedelta(days=rng.randint(5, 20))
                if due
                else today - timedelta(days=rng.randint(30, 3000))
            )
            deadline = (
                today + timedelta(days=rng.randint(-6, 3))
                if due
                else issued + timedelta(days=rng.randint(5, 30))
            )
            rows.append(
                Directive(
                    town=town,
                    year=issued.year,
                    serial=serial,
                    number=f"{town.name}督{serial}",
                    title="河面漂浮垃圾",
                    description="bench",
                    river=rng.choice(rivers_of[village.pk]),
                    source="phone_report",
                    target_village=village,
                    issued_by=office[town.pk],
                    issued_on=issued,
                    original_deadline=max(deadline, issued),
                    deadline=max(deadline, issued),
                    status=Status.ACCEPTED if due else Status.CLOSED,
                )
            )
    Directive.objects.bulk_create(rows, batch_size=2000)
    total, owed = Directive.objects.count(), Directive.objects.due_by(today).count()
    print(f"built {total} orders ({owed} owed by today) in {time.monotonic() - t0:.1f} s")
    print(f"database: {connection.vendor}")

    def measure(label, fn):
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as ctx:
            start = time.monotonic()
            result = fn()
            elapsed = time.monotonic() - start
        print(f"{label:<44} {elapsed * 1000:9.1f} ms {len(ctx.captured_queries):6d} queries")
        return result

    # The first run creates every alert and (eager mode here) delivers it inline on two
    # channels: its cost is per alert. The second run shows the job's fixed cost.
    first = measure("alert job, first run", lambda: send_deadline_alerts())
    print(f"  alerts created: {first}")
    measure("alert job, second run (sends nothing)", lambda: send_deadline_alerts())
    user = office[towns[0].pk]
    measure("office board of one town", lambda: selectors.board_for(user=user))
    river_ids = [r.pk for r in rivers]
    measure(
        f"order_counts_for_rivers ({len(river_ids)} rivers)",
        lambda: selectors.order_counts_for_rivers(river_ids=river_ids),
    )


if __name__ == "__main__":
    main()

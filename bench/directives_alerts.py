"""Supervision orders at district scale: the alert job, the board and the API list.

    .venv/bin/python bench/directives_alerts.py [--towns 10] [--orders-per-town 10000]
        [--due-per-town 300] [--keep] [--worker N]

Uses DATABASE_URL if set (give it an empty database, or one this script built with
``--keep``), else a fresh SQLite file under var/. Builds a district of towns with villages,
chiefs and rivers, a large archive of closed orders and orders still owed around today's date
(bulk_create), then times the alert job (first run, and a second run that must send nothing),
the office board of one town and ``order_counts_for_rivers`` for every river, printing the
number of queries of each: the alert job's reads must not grow with the archive, its writes
not with the alerts.

``--keep`` reuses the orders already in the database and deletes only the alerts of an
earlier run. ``--worker N`` sends the deliveries through a real Celery worker of N processes
on ``CELERY_BROKER_URL`` (Redis; the script starts and stops it, and purges its queue first)
and times the job until the outbox is empty; without it the deliveries run in-process.
"""

import argparse
import os
import random
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

from _setup import setup_django

BASE_DIR = Path(__file__).resolve().parent.parent


def start_worker(processes: int) -> subprocess.Popen:
    """A Celery worker on this database and broker, e-mail and SMS kept in its memory."""
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only-not-secret"),
        "ALLOWED_HOSTS": "localhost",
        "CELERY_TASK_ALWAYS_EAGER": "false",
    }
    return subprocess.Popen(
        [
            str(BASE_DIR / ".venv/bin/celery"),
            "-A",
            "config",
            "worker",
            "-c",
            str(processes),
            "-Q",
            "celery,deliveries",
            "-l",
            "WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-n",
            f"bench-alerts-{os.getpid()}@%h",
        ],
        cwd=BASE_DIR,
        env=env,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--towns", type=int, default=10)
    parser.add_argument("--villages", type=int, default=15)
    parser.add_argument("--orders-per-town", type=int, default=10_000)
    parser.add_argument("--due-per-town", type=int, default=30)
    parser.add_argument("--keep", action="store_true", help="reuse the orders already built")
    parser.add_argument("--worker", type=int, default=0, help="deliver through N worker processes")
    args = parser.parse_args()

    setup_django("bench-directives.sqlite3", fresh=not args.keep, eager=not args.worker)
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)

    from core.models import Region, User
    from directives import selectors
    from directives.models import Directive, Event
    from directives.services import send_deadline_alerts
    from notices.models import Delivery, Notification
    from rivers.models import River

    if args.keep and Directive.objects.exists():
        Notification.objects.filter(kind__startswith="directive_").delete()
        Event.objects.filter(kind=Event.Kind.ALERTED).delete()
        give_addresses()
        towns = list(Region.objects.filter(kind="town").order_by("code"))
        office = {u.region_id: u for u in User.objects.filter(role="office")}
        rivers = list(River.objects.all())
    else:
        towns, office, rivers = build(args)
    today = timezone_today()
    total, owed = Directive.objects.count(), Directive.objects.due_by(today).count()
    print(f"{total} orders ({owed} owed by today); database: {connection.vendor}")

    queries = Counter()

    def count(execute, sql, params, many, context):
        queries["n"] += 1
        start = time.monotonic()
        try:
            return execute(sql, params, many, context)
        finally:
            queries["db ms"] += (time.monotonic() - start) * 1000

    def measure(label, fn):
        queries["n"] = queries["db ms"] = 0
        with connection.execute_wrapper(count):
            start, cpu = time.monotonic(), time.process_time()
            result = fn()
            elapsed, cpu = time.monotonic() - start, time.process_time() - cpu
        # CPU time of this process beside the wall clock: on a shared machine the difference
        # is mostly waiting for a core (or for the database).
        print(
            f"{label:<44} {elapsed * 1000:9.1f} ms {queries['n']:6d} queries"
            f"  (cpu here {cpu * 1000:.0f} ms, in queries {queries['db ms']:.0f} ms)"
        )
        return result, elapsed, queries["n"]

    deliveries = Delivery.objects.filter(notification__kind__startswith="directive_")
    worker = None
    if args.worker:
        from config.celery import app

        app.control.purge()
        worker = start_worker(args.worker)
        deadline = time.monotonic() + 60
        while not app.control.ping(timeout=0.5):
            if time.monotonic() > deadline or worker.poll() is not None:
                sys.exit("the worker did not start")

    try:
        # The first run creates every alert; in-process (eager) it also delivers each on two
        # channels before it returns, with --worker the workers deliver while it returns.
        print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        first, elapsed, n = measure("alert job, first run", lambda: send_deadline_alerts())
        alerts = sum(first.values())
        print(f"  alerts created: {first} = {alerts}, {deliveries.count()} deliveries")
        if alerts:
            print(f"  {n / alerts:.2f} queries an alert (this process)")
        if worker is not None:
            start = time.monotonic() - elapsed
            open_ = deliveries.filter(status__in=[Delivery.Status.PENDING, Delivery.Status.SENDING])
            while open_.exists():
                if worker.poll() is not None:
                    sys.exit("the worker died")
                time.sleep(0.05)
            total_s = time.monotonic() - start
            print(
                f"{'alert job until the outbox is empty':<44} {total_s * 1000:9.1f} ms"
                f"  ({args.worker} worker processes)"
            )
        print(f"  load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        states = Counter(deliveries.values_list("status", flat=True))
        print(f"  deliveries by status: {dict(states)}")
        measure("alert job, second run (sends nothing)", lambda: send_deadline_alerts())
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=30)
    user = office[towns[0].pk]
    measure("office board of one town", lambda: selectors.board_for(user=user))
    river_ids = [r.pk for r in rivers]
    measure(
        f"order_counts_for_rivers ({len(river_ids)} rivers)",
        lambda: selectors.order_counts_for_rivers(river_ids=river_ids),
    )


def timezone_today():
    from django.utils import timezone

    return timezone.localdate()


def give_addresses():
    """Every alert is then sent on both channels (a user without an address is only skipped)."""
    from django.db.models import CharField, Value
    from django.db.models.functions import Cast, Concat, LPad

    from core.models import User

    User.objects.filter(email="").update(
        email=Concat("username", Value("@bench.example.cn")),
        phone=Concat(Value("139"), LPad(Cast("id", CharField()), 8, Value("0"))),
    )


def build(args):
    """The district: towns, villages with a chief each, rivers, the archive and the owed."""
    from core.models import Region, User
    from directives.models import Directive, Status
    from rivers.models import Chief, River

    rng = random.Random(1)
    today = timezone_today()
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
    give_addresses()
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
    print(f"built {len(rows)} orders in {time.monotonic() - t0:.1f} s")
    return towns, office, rivers


if __name__ == "__main__":
    main()

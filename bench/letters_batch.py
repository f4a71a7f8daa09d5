"""Letters per second for the monthly batches of a district, in-process or through real workers.

    .venv/bin/python bench/letters_batch.py [--chiefs 3000] [--towns 1] [--rivers-per-chief 2]
    CELERY_BROKER_URL=redis://127.0.0.1:6379/14 DATABASE_URL=postgres://... \\
        .venv/bin/python bench/letters_batch.py --chiefs 60000 --towns 20 --workers 2

Builds (once, with bulk inserts; in var/bench_letters.sqlite3 unless DATABASE_URL is set) a
district of ``--towns`` towns with villages of 60 chiefs, each chief with their rivers, then
creates every town's batch for September 2018 and sends them through the real task path:
fan-out, one task per chunk of letters (compose, inbox, e-mail and SMS deliveries in bulk),
one delivery task per chunk and channel. E-mail and SMS stay in memory (Django's locmem
e-mail backend, ``notices.sms.LocmemBackend``).

- ``--workers 0`` (the default): Celery in eager mode, so the figure is the work of one
  process, and the queries are counted (per letter, and per chunk).
- ``--workers N``: N real ``celery worker --pool=solo`` processes on ``CELERY_BROKER_URL``
  (its database is flushed first: give the bench a Redis database of its own), with the
  queues separated (letters, deliveries). The clock runs from "send" until every letter is
  SENT and every delivery sent; it prints letters/s, the time and the load average.
"""

import argparse
import os
import resource
import subprocess
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

from _setup import BASE_DIR, setup_django

WORKERS = int(next((a.split("=")[1] for a in sys.argv if a.startswith("--workers=")), 0) or 0)
if "--workers" in sys.argv:
    WORKERS = int(sys.argv[sys.argv.index("--workers") + 1])
setup_django("bench_letters.sqlite3", fresh=False, eager=WORKERS == 0)

from django.conf import settings  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Max  # noqa: E402
from django.utils import timezone  # noqa: E402

from core.models import Region, User  # noqa: E402
from letters import services  # noqa: E402
from letters.models import Letter, LetterBatch  # noqa: E402
from notices.models import Delivery, Notification  # noqa: E402
from rivers.models import Chief, ChiefAssignment, River, fill_river_codes  # noqa: E402

DISTRICT = "399901"
MONTH = date(2018, 9, 1)
PER_VILLAGE = 60
POLL_SECONDS = 3


def build(chiefs: int, towns: int, per_chief: int) -> list[Region]:
    """``chiefs`` village chiefs spread over ``towns`` towns; what exists already is kept."""
    district, _ = Region.objects.get_or_create(
        code=DISTRICT, defaults={"name": "基准区", "kind": Region.Kind.DISTRICT}
    )
    per_town = chiefs // towns
    out = []
    password = make_password("bench")
    for t in range(1, towns + 1):
        town, _ = Region.objects.get_or_create(
            code=f"{DISTRICT}{100 + t:03d}",
            defaults={"name": f"基准{t}镇", "kind": "town", "parent": district},
        )
        out.append(town)
        have = Chief.objects.filter(region__code__startswith=town.code).count()
        if have >= per_town:
            continue
        villages = []
        for v in range(1, 1 + max(1, -(-per_town // PER_VILLAGE))):
            village, _ = Region.objects.get_or_create(
                code=f"{town.code}{v:03d}",
                defaults={"name": f"基准{t}镇{v}村", "kind": "village", "parent": town},
            )
            villages.append(village)
        with transaction.atomic():
            users = User.objects.bulk_create(
                [
                    User(
                        username=f"bench{t:02d}{i:06d}",
                        last_name="李",
                        first_name=f"{i}",
                        role=User.Role.VILLAGE_CHIEF,
                        region=villages[i % len(villages)],
                        password=password,
                        email=f"bench{t:02d}{i:06d}@example.cn",
                        phone=f"13{t:02d}{i:07d}",
                    )
                    for i in range(have, per_town)
                ],
                batch_size=2000,
            )
            new_chiefs = Chief.objects.bulk_create(
                [Chief(user=u, level="village", region=u.region) for u in users], batch_size=2000
            )
            rivers = River.objects.bulk_create(
                [
                    River(
                        code=f"B-{chief.user.username}-{k}",
                        name=f"基准河{chief.pk}-{k}",
                        level="village",
                        length_km=Decimal("1.5"),
                        region=chief.region,
                    )
                    for chief in new_chiefs
                    for k in range(per_chief)
                ],
                batch_size=2000,
            )
            ChiefAssignment.objects.bulk_create(
                [
                    ChiefAssignment(
                        chief=new_chiefs[n // per_chief],
                        river=river,
                        level="village",
                        start_date=date(2018, 1, 1),
                    )
                    for n, river in enumerate(rivers)
                ],
                batch_size=2000,
            )
            fill_river_codes(ChiefAssignment.objects.filter(river_code=""))
    return out


def vacuum() -> None:
    """What autovacuum does between two monthly runs (it is off on this machine's server): the
    rows an earlier run updated three times and deleted stay as dead rows otherwise, and each
    run read through more of them (after four runs the letters' table was 865 MB for 60,000
    rows, and PostgreSQL's CPU had grown tenfold). Run after :func:`clear`, so that what it
    deleted is reclaimed too (before, a run started among the previous run's 240,000 dead
    letters, notifications and deliveries). Statistics only of tables with rows: those of an
    empty outbox table make the planner expect it to stay empty while a run fills it."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cur:
        for model in (Letter, LetterBatch, Notification, Delivery):
            table = connection.ops.quote_name(model._meta.db_table)
            cur.execute(f"SELECT EXISTS (SELECT 1 FROM {table})")
            cur.execute(f"VACUUM ANALYZE {table}" if cur.fetchone()[0] else f"VACUUM {table}")


def clear(towns: list[Region]) -> None:
    """Remove the month's batches of an earlier run, with their notifications (raw SQL: fast)."""
    batches = list(
        LetterBatch.objects.filter(town__in=towns, month=MONTH).values_list("pk", flat=True)
    )
    if not batches:
        return
    with connection.cursor() as cur, transaction.atomic():
        ids = ",".join(str(b) for b in batches)
        notes = f"SELECT notification_id FROM letters_letter WHERE batch_id IN ({ids})"
        cur.execute(f"DELETE FROM notices_delivery WHERE notification_id IN ({notes})")
        cur.execute(f"UPDATE letters_letter SET notification_id = NULL WHERE batch_id IN ({ids})")
        cur.execute("DELETE FROM notices_notification WHERE kind = 'letter'")
        cur.execute(f"DELETE FROM letters_letter WHERE batch_id IN ({ids})")
        cur.execute(f"DELETE FROM letters_letterbatch WHERE id IN ({ids})")


def _cpu() -> float:
    """User + system CPU seconds of this process and of its waited-for children (workers)."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


def _pg_cpu() -> dict[int, float]:
    """CPU seconds of each PostgreSQL backend serving this database but not this process, when
    the server runs on this machine (from /proc: backends are named ``postgres: <user> <db>``).
    Empty on another database or server."""
    if connection.vendor != "postgresql":
        return {}
    name = f" {connection.settings_dict['NAME']} "
    with connection.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        own = cur.fetchone()[0]
    tick = os.sysconf("SC_CLK_TCK")
    out = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) == own:
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as fh:
                cmd = fh.read().replace(b"\0", b" ").decode(errors="replace")
            if not cmd.startswith("postgres: ") or name not in cmd:
                continue
            with open(f"/proc/{pid}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            out[int(pid)] = (int(fields[11]) + int(fields[12])) / tick
        except OSError:
            continue
    return out


class Counter:
    def __init__(self):
        self.n = 0

    def __call__(self, execute, sql, params, many, context):
        self.n += 1
        return execute(sql, params, many, context)


def start_workers(n: int, log_dir: Path) -> list[subprocess.Popen]:
    env = {
        **os.environ,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "CELERY_SEPARATE_QUEUES": "true",
        "DEBUG": "0",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only-" + "x" * 40),
        "ALLOWED_HOSTS": "localhost",
    }
    procs, logs = [], []
    for k in range(n):
        log = log_dir / f"bench-letters-worker{k}.log"
        log.write_text("")
        logs.append(log)
        cmd = [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo"]
        cmd += ["-Q", "letters,deliveries,celery", "--loglevel=WARNING", "-n", f"bench{k}@%h"]
        cmd += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
        with log.open("ab") as fh:
            procs.append(
                subprocess.Popen(cmd, cwd=BASE_DIR, env=env, stdout=fh, stderr=subprocess.STDOUT)
            )
    # Ready when each answers a ping.
    from config.celery import app

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        replies = app.control.ping(timeout=1.0) or []
        if len(replies) >= n:
            return procs
        for proc, log in zip(procs, logs, strict=True):
            if proc.poll() is not None:
                raise RuntimeError(f"worker exited: {log.read_text()[-3000:]}")
    raise RuntimeError("workers not ready in 120 s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--chiefs", type=int, default=3000)
    parser.add_argument("--towns", type=int, default=1)
    parser.add_argument("--rivers-per-chief", type=int, default=2)
    parser.add_argument("--workers", type=int, default=0)
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    t0 = time.perf_counter()
    towns = build(args.chiefs, args.towns, args.rivers_per_chief)
    print(
        f"district: {args.chiefs} chiefs in {args.towns} towns, {args.rivers_per_chief} rivers "
        f"each ({time.perf_counter() - t0:.1f} s to build); database: {connection.vendor}; "
        f"chunk {settings.LETTERS_CHUNK_SIZE} letters"
    )
    clear(towns)
    vacuum()
    t0 = time.perf_counter()
    batches = [services.create_batch(town=town, month=MONTH) for town in towns]
    n = Letter.objects.filter(batch__in=batches).count()
    print(
        f"{len(batches)} batches created with {n} letter rows in {time.perf_counter() - t0:.1f} s"
    )
    if connection.vendor == "postgresql":
        # What autovacuum does to freshly loaded tables within a minute: without statistics
        # the planner guesses a few thousand rivers and scans 120,000 for each chunk's chiefs
        # (0.3 s a chunk); a server with autovacuum off (as this machine's) never gets them.
        # Only the tables built here: the outbox's, analysed while clear() had emptied them,
        # would look empty to the planner as they fill (a chunk's read then took minutes).
        built = (User, Region, Chief, River, ChiefAssignment, Letter, LetterBatch)
        with connection.cursor() as cur:
            for model in built:
                cur.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")

    cpu0 = _cpu()
    if args.workers == 0:
        count = Counter()
        t0 = time.perf_counter()
        with connection.execute_wrapper(count):
            for batch in batches:
                services.send_batch(batch=batch)
        elapsed = time.perf_counter() - t0
    else:
        import redis

        redis.Redis.from_url(settings.CELERY_BROKER_URL).flushdb()
        procs = start_workers(args.workers, BASE_DIR / "var")
        try:
            started = timezone.now()
            t0 = time.perf_counter()
            for batch in batches:
                services.send_batch(batch=batch)  # publishes the fan-out on commit
            letters = Letter.objects.filter(batch__in=batches)
            deliveries = Delivery.objects.filter(notification__letter__batch__in=batches)
            loads = []
            # Backends come and go (CONN_MAX_AGE): each one's last reading counts.
            pg0 = _pg_cpu()
            pg_seen = dict(pg0)
            # The clock stops at the last sent_at the workers wrote, so the poll need not be
            # frequent: each poll reads tables of 60,000 letters and 120,000 deliveries (tens of
            # ms of the database's CPU, taken from the workers it measures).
            while True:
                time.sleep(POLL_SECONDS)
                pg_seen.update(_pg_cpu())
                loads.append(os.getloadavg()[0])
                if letters.exclude(status=Letter.Status.SENT).exists():
                    continue
                if deliveries.exclude(status=Delivery.Status.SENT).exists():
                    continue
                break
            last = max(
                letters.aggregate(last=Max("sent_at"))["last"],
                deliveries.aggregate(last=Max("sent_at"))["last"],
            )
            elapsed = (last - started).total_seconds()
            pg_seen.update(_pg_cpu())
            pg = sum(pg_seen.values()) - sum(pg0.values()) if pg_seen else None
        finally:
            for proc in procs:
                proc.terminate()
            for proc in procs:
                proc.wait(30)
    cpu = _cpu() - cpu0
    sent = Letter.objects.filter(batch__in=batches, status="sent").count()
    delivered = Delivery.objects.filter(
        notification__letter__batch__in=batches, status="sent"
    ).count()
    line = (
        f"sent {sent}/{n} letters and {delivered} deliveries (inbox + e-mail + SMS) in "
        f"{elapsed:.1f} s: {sent / elapsed:.0f} letters/s"
    )
    if args.workers == 0:
        chunks = -(-n // settings.LETTERS_CHUNK_SIZE)
        line += (
            f" in one process, {count.n / max(sent, 1):.2f} queries per letter "
            f"({count.n / chunks:.0f} per chunk, deliveries included)"
        )
    else:
        line += (
            f" with {args.workers} workers; load average 1 min during the run "
            f"{min(loads):.1f}-{max(loads):.1f}"
        )
    print(line)
    who = "this process" if args.workers == 0 else "the workers"
    print(
        f"CPU time of {who}: {cpu:.1f} s, {1000 * cpu / max(sent, 1):.1f} ms per letter "
        f"({sent / max(cpu, 0.001):.0f} letters per CPU-second)"
    )
    if args.workers and pg is not None:
        # On a machine shared with other work the wall time says more about the others than
        # about the batch: the CPU it took, workers and database together, says what it needs.
        cores = os.cpu_count() or 1
        print(
            f"CPU time of PostgreSQL's backends for this database: {pg:.1f} s; workers and "
            f"database together {cpu + pg:.1f} s = {(cpu + pg) / cores:.0f} s on {cores} free cores"
        )


if __name__ == "__main__":
    main()

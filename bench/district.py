"""Build the benchmark district: towns, villages, rivers, chiefs, patrols, samples and orders.

One generator for every load bench (``bench/load.py``). It writes with COPY on PostgreSQL (and
``executemany`` on SQLite), without history rows, then runs ANALYZE. ``--scale`` multiplies
every count; the defaults (scale 1) build in a few minutes on a 2-core machine:

    20 towns x 10 villages, 50,000 rivers (each with a 30-point course; 1 in 10 also crosses
    a neighbouring village), 56,800 assignments (50,000 current, 6,800 ended), 10,000
    monitoring points, 100,000 samples, 200,000 patrols, 100,000 orders.

The issue's district (1,000,000 patrols, 500,000 samples) is ``--patrols 1000000
--samples 500000``.

    createdb -h 127.0.0.1 -U postgres bench_district
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_district \\
        .venv/bin/python bench/district.py [--scale 1] [--patrols N] [--samples N] [--orders N]
"""

import argparse
import json
import random
import time
import uuid
from datetime import UTC, date, datetime, timedelta

from _setup import setup_django

DISTRICT_CODE = "310199"
TOWNS, VILLAGES = 20, 10
PASSWORD = "bench-password"  # a synthetic district


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--rivers", type=int, default=50_000)
    parser.add_argument("--patrols", type=int, default=200_000)
    parser.add_argument("--samples", type=int, default=100_000)
    parser.add_argument("--orders", type=int, default=100_000)
    return parser.parse_args()


class Writer:
    """Inserts plain rows into a model's table: COPY on PostgreSQL, executemany elsewhere.

    Columns not given take the field's default (a fresh UUID for UUID fields, "now" for
    auto_now fields) so that a new NOT NULL column does not break the generator.
    """

    def __init__(self, connection):
        self.connection = connection

    def _fill(self, model, given: list[str]):
        from django.db import models

        extra = {}
        now = datetime.now(UTC)
        for field in model._meta.concrete_fields:
            if field.primary_key or field.attname in given or field.null:
                continue
            if isinstance(field, models.UUIDField):
                extra[field.column] = uuid.uuid4
            elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                extra[field.column] = lambda now=now: now
            elif field.has_default() or field.empty_strings_allowed:
                value = field.get_default()
                if isinstance(field, models.JSONField):
                    value = json.dumps(value)
                extra[field.column] = lambda value=value: value
            else:
                raise ValueError(f"{model.__name__}.{field.name}: no value and no default")
        return extra

    def insert(self, model, columns: list[str], rows) -> int:
        fields = [model._meta.get_field(c) for c in columns]
        names = [f.column for f in fields]
        extra = self._fill(model, [f.attname for f in fields])
        quote = self.connection.ops.quote_name
        all_names = [quote(c) for c in names + list(extra)]
        makers = list(extra.values())
        table = model._meta.db_table
        n = 0
        with self.connection.cursor() as cursor:
            if self.connection.vendor == "postgresql":
                sql = f"COPY {table} ({', '.join(all_names)}) FROM STDIN"
                with cursor.cursor.copy(sql) as copy:
                    for row in rows:
                        copy.write_row([*row, *(m() for m in makers)])
                        n += 1
            else:
                marks = ", ".join(["%s"] * len(all_names))
                sql = f"INSERT INTO {table} ({', '.join(all_names)}) VALUES ({marks})"
                batch = []
                for row in rows:
                    batch.append([*row, *(m() for m in makers)])
                    if len(batch) == 5000:
                        cursor.executemany(sql, batch)
                        n += len(batch)
                        batch = []
                if batch:
                    cursor.executemany(sql, batch)
                    n += len(batch)
        return n


def course(seed: int) -> str:
    """A 30-point LineString near Jinshan, as the registry stores a river's course."""
    rnd = random.Random(seed)
    lon, lat = 121.1 + rnd.random() * 0.3, 30.7 + rnd.random() * 0.2
    points = []
    for _ in range(30):
        lon += (rnd.random() - 0.5) * 0.002
        lat += (rnd.random() - 0.5) * 0.002
        points.append([round(lon, 6), round(lat, 6)])
    return json.dumps({"type": "LineString", "coordinates": points})


def build(args) -> None:
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction

    from core.models import Region, User
    from directives.models import Directive, OrderCounter
    from monitoring.models import MonitoringPoint, Sample
    from patrols.models import Patrol
    from rivers.models import Chief, ChiefAssignment, River, fill_river_codes

    s = args.scale
    n_rivers = int(args.rivers * s)
    n_patrols, n_samples, n_orders = (
        int(args.patrols * s),
        int(args.samples * s),
        int(args.orders * s),
    )
    if River.objects.filter(code__startswith="B-").exists():
        print("the district is already built in this database; give an empty one")
        return
    w = Writer(connection)
    rnd = random.Random(15)
    t0 = time.monotonic()

    def step(label, n):
        print(f"  {label:<28} {n:>10,}   {time.monotonic() - t0:6.1f} s", flush=True)

    with transaction.atomic():
        district = Region.objects.create(code=DISTRICT_CODE, name="基准区", kind="district")
        towns = Region.objects.bulk_create(
            [
                Region(
                    code=f"{DISTRICT_CODE}{t:03d}", name=f"基准{t}镇", kind="town", parent=district
                )
                for t in range(1, TOWNS + 1)
            ]
        )
        towns = list(Region.objects.filter(kind="town", parent=district).order_by("code"))
        Region.objects.bulk_create(
            [
                Region(code=f"{t.code}{v:03d}", name=f"{t.name}{v}村", kind="village", parent=t)
                for t in towns
                for v in range(200, 200 + VILLAGES)
            ]
        )
        villages = list(
            Region.objects.filter(kind="village", parent__parent=district).order_by("code")
        )
        password = make_password(PASSWORD)
        users = [
            User(
                username=f"b-office-{t.code}",
                role="office",
                region=t,
                password=password,
                last_name="办",
                first_name=t.name,
            )
            for t in towns
        ] + [
            User(
                username=f"b-chief-{v.code}",
                role="village_chief",
                region=v,
                password=password,
                last_name="陈",
                first_name=v.name[-4:],
                phone=f"137{i:08d}",
            )
            for i, v in enumerate(villages)
        ]
        User.objects.bulk_create(users)
        by_name = {u.username: u for u in User.objects.filter(username__startswith="b-")}
        Chief.objects.bulk_create(
            [Chief(user=by_name[f"b-chief-{v.code}"], level="village", region=v) for v in villages]
        )
        chiefs = {c.region_id: c for c in Chief.objects.filter(region__in=villages)}
        offices = {t.pk: by_name[f"b-office-{t.code}"] for t in towns}
        step("regions, users, chiefs", len(users))

        per_village = n_rivers // len(villages)
        w.insert(
            River,
            ["code", "name", "level", "length_km", "region", "target_class", "geometry"],
            (
                (
                    f"B-{v.code}-{n:04d}",
                    f"{v.name[-4:]}{n}号浜",
                    "village",
                    f"{0.3 + (n % 40) / 10:.2f}",
                    v.pk,
                    3 + n % 3,
                    course(i * 10_000 + n),
                )
                for i, v in enumerate(villages)
                for n in range(per_village)
            ),
        )
        rivers = list(
            River.objects.filter(code__startswith="B-")
            .order_by("id")
            .values_list("id", "region_id")
        )
        step("rivers", len(rivers))
        village_ids = [v.pk for v in villages]
        crossing = []
        for k, (pk, region_id) in enumerate(rivers):
            crossing.append((pk, region_id))
            if k % 10 == 0:  # one in ten crosses the next village (sometimes in the next town)
                i = village_ids.index(region_id)
                crossing.append((pk, village_ids[(i + 1) % len(village_ids)]))
        w.insert(River.regions.through, ["river", "region"], crossing)
        step("river crossings", len(crossing))

        ended = int(6_800 * s * args.rivers / 50_000)
        rows = [
            (chiefs[r].pk, pk, "village", "responsible", date(2018, 1, 1), None) for pk, r in rivers
        ]
        rows += [
            (chiefs[r].pk, pk, "village", "deputy", date(2017, 1, 1), date(2017, 12, 31))
            for pk, r in rivers[:ended]
        ]
        w.insert(
            ChiefAssignment, ["chief", "river", "level", "duty", "start_date", "end_date"], rows
        )
        fill_river_codes(ChiefAssignment.objects.all())
        step("assignments", len(rows))

        monitored = rivers[::5]
        w.insert(
            MonitoringPoint,
            ["code", "name", "river", "region", "position", "responsible"],
            ((f"BP-{pk}", f"断面{pk}", pk, r, 1, "区环境监测站") for pk, r in monitored),
        )
        points = list(
            MonitoringPoint.objects.filter(code__startswith="BP-")
            .order_by("id")
            .values_list("id", flat=True)
        )
        step("monitoring points", len(points))
        per_point = max(n_samples // max(len(points), 1), 1)
        first = datetime(2018, 1, 15, 2, 0, tzinfo=UTC)

        def samples():
            for k in range(per_point):
                at = first + timedelta(days=30 * k)
                for p in points:
                    yield (
                        p,
                        at + timedelta(minutes=p % 600),
                        "import",
                        round(6.5 + rnd.random(), 2),
                        round(2 + rnd.random() * 6, 2),
                        round(rnd.random() * 2.5, 3),
                        round(rnd.random() * 0.5, 3),
                        round(3 + rnd.random() * 8, 2),
                    )

        n = w.insert(
            Sample, ["point", "sampled_at", "source", "ph", "do", "nh3n", "tp", "codmn"], samples()
        )
        step("samples", n)
        from monitoring import stamps

        step("samples stamped", stamps.restamp())

        start = datetime(2018, 1, 1, tzinfo=UTC)
        span = (datetime(2026, 11, 1, tzinfo=UTC) - start).total_seconds()

        def patrols():
            for _ in range(n_patrols):
                pk, region_id = rivers[rnd.randrange(len(rivers))]
                chief = chiefs[region_id]
                at = start + timedelta(seconds=rnd.random() * span)
                yield (
                    chief.pk,
                    region_id,
                    "village",
                    pk,
                    chief.user_id,
                    "live",
                    "finished",
                    at,
                    at + timedelta(minutes=40),
                    2400,
                    60,
                )

        n = w.insert(
            Patrol,
            [
                "chief",
                "region",
                "level",
                "river",
                "recorded_by",
                "source",
                "status",
                "started_at",
                "ended_at",
                "distance_m",
                "point_count",
            ],
            patrols(),
        )
        step("patrols", n)

        statuses = ["closed"] * 12 + ["issued", "accepted", "submitted", "returned"]
        serials: dict[tuple[int, int], int] = {}
        town_of = {v.pk: v.parent_id for v in villages}

        def orders():
            for k in range(n_orders):
                pk, region_id = rivers[rnd.randrange(len(rivers))]
                town_id = town_of[region_id]
                year = 2018 + k * 9 // max(n_orders, 1)
                serial = serials[(town_id, year)] = serials.get((town_id, year), 0) + 1
                issued = date(year, 1, 1) + timedelta(days=rnd.randrange(330))
                status = statuses[rnd.randrange(len(statuses))]
                created = datetime(issued.year, issued.month, issued.day, 1, tzinfo=UTC)
                yield (
                    town_id,
                    year,
                    serial,
                    f"金河长办督〔{year}〕{serial}号",
                    f"河面漂浮垃圾 {pk}",
                    "巡河发现河面漂浮垃圾，需及时清理。",
                    pk,
                    "phone_report",
                    region_id,
                    offices[town_id].pk,
                    issued,
                    issued + timedelta(days=10),
                    issued + timedelta(days=10),
                    status,
                    created,
                    created,
                )

        n = w.insert(
            Directive,
            [
                "town",
                "year",
                "serial",
                "number",
                "title",
                "description",
                "river",
                "source",
                "target_village",
                "issued_by",
                "issued_on",
                "original_deadline",
                "deadline",
                "status",
                "created_at",
                "modified_at",
            ],
            orders(),
        )
        OrderCounter.objects.bulk_create(
            [OrderCounter(town_id=t, year=y, last_serial=n) for (t, y), n in serials.items()]
        )
        step("orders", n)

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")  # statistics and visibility map after a bulk load
    step("analyze", 0)


def main() -> None:
    args = parse_args()
    setup_django("bench_district.sqlite3", fresh=False)
    from django.conf import settings
    from django.core.management import call_command

    print(f"database: {settings.DATABASES['default']['NAME']}")
    call_command("migrate", verbosity=0)
    build(args)


if __name__ == "__main__":
    main()

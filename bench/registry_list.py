"""Benchmark of the registry list page and the rivers API on a large synthetic district.

Builds (once) 20 towns x 10 villages x 250 rivers = 50,000 rivers, each with its village, a
current chief and a crossing row, then times a few hundred requests through Django's test
client (in process: the figures are the application's, without a web server) and prints
requests/s, p50 and p95.

    .venv/bin/python bench/registry_list.py                 # SQLite under var/bench.sqlite3
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/registry_bench .venv/bin/python bench/registry_list.py
"""

import os
import statistics
import time
from datetime import date
from decimal import Decimal

from _setup import setup_django

setup_django("bench.sqlite3", fresh=False)

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from core.models import Region, User  # noqa: E402
from core.services import create_api_client  # noqa: E402
from rivers.models import Chief, ChiefAssignment, River, fill_river_codes  # noqa: E402

TOWNS, VILLAGES, RIVERS_PER_VILLAGE = 20, 10, 250
DISTRICT_CODE = "310199"
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "200"))


def build() -> None:
    if River.objects.filter(code__startswith="B-").count() == TOWNS * VILLAGES * RIVERS_PER_VILLAGE:
        return
    started = time.monotonic()
    with transaction.atomic():
        district, _ = Region.objects.get_or_create(
            code=DISTRICT_CODE, defaults={"name": "基准区", "kind": "district"}
        )
        towns = Region.objects.bulk_create(
            [
                Region(
                    code=f"{DISTRICT_CODE}{t:03d}", name=f"基准{t}镇", kind="town", parent=district
                )
                for t in range(1, TOWNS + 1)
            ]
        )
        towns = list(Region.objects.filter(kind="town", code__startswith=DISTRICT_CODE))
        villages = Region.objects.bulk_create(
            [
                Region(code=f"{t.code}{v:03d}", name=f"{t.name}{v}村", kind="village", parent=t)
                for t in towns
                for v in range(200, 200 + VILLAGES)
            ]
        )
        villages = list(Region.objects.filter(kind="village", code__startswith=DISTRICT_CODE))
        users = User.objects.bulk_create(
            [
                User(
                    username=f"b-{v.code}",
                    role="village_chief",
                    region=v,
                    last_name="陈",
                    first_name=f"{i}",
                    phone=f"137{i:08d}",
                )
                for i, v in enumerate(villages)
            ]
        )
        users = {u.region_id: u for u in User.objects.filter(username__startswith="b-")}
        Chief.objects.bulk_create(
            [Chief(user=users[v.pk], level="village", region=v) for v in villages]
        )
        chiefs = {c.region_id: c for c in Chief.objects.filter(region__in=villages)}
        rivers = []
        for v in villages:
            for n in range(RIVERS_PER_VILLAGE):
                rivers.append(
                    River(
                        code=f"B-{v.code}-{n:03d}",
                        name=f"{v.name[-4:]}{n}号浜",
                        level="village",
                        length_km=Decimal(f"{0.3 + (n % 40) / 10:.2f}"),
                        region=v,
                        target_class=4 + n % 2,
                    )
                )
        River.objects.bulk_create(rivers, batch_size=2000)
        rivers = list(River.objects.filter(code__startswith="B-").only("pk", "region_id"))
        River.regions.through.objects.bulk_create(
            [River.regions.through(river_id=r.pk, region_id=r.region_id) for r in rivers],
            batch_size=5000,
        )
        ChiefAssignment.objects.bulk_create(
            [
                ChiefAssignment(
                    chief=chiefs[r.region_id],
                    river_id=r.pk,
                    level="village",
                    start_date=date(2018, 1, 1),
                )
                for r in rivers
            ],
            batch_size=5000,
        )
        fill_river_codes(ChiefAssignment.objects.filter(river_code=""))
        User.objects.get_or_create(
            username="b-office", defaults={"role": "office", "region": towns[0]}
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # fresh statistics after a bulk load, or plans are guesses
    print(f"built {len(rivers):,} rivers in {time.monotonic() - started:.1f} s")


def measure(client: Client, label: str, url: str, n: int = REQUESTS, **headers) -> None:
    client.get(url, **headers)  # warm-up
    connection.queries_log.clear()  # each request resets it; start from an empty log
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **headers)
    assert response.status_code == 200, (url, response.status_code)
    times = []
    started = time.perf_counter()
    for _ in range(n):
        t0 = time.perf_counter()
        client.get(url, **headers)
        times.append((time.perf_counter() - t0) * 1000)
    total = time.perf_counter() - started
    times.sort()
    p95 = times[int(len(times) * 0.95) - 1]
    print(
        f"{label:<44} {n / total:7.1f} req/s   p50 {statistics.median(times):6.1f} ms   "
        f"p95 {p95:6.1f} ms   {len(queries)} queries"
    )


def main() -> None:
    print(f"database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}")
    call_command("migrate", verbosity=0)
    build()
    office = User.objects.get(username="b-office")
    client = Client()
    client.force_login(office)
    town_rivers = River.objects.visible_to(office).count()
    print(f"{River.objects.count():,} rivers in the district; {town_rivers:,} in the office's town")
    measure(client, "page /rivers/ (town, page 1)", "/rivers/")
    measure(client, "page /rivers/?page=50 (town, last page)", "/rivers/?page=50")
    measure(client, "page /rivers/?q=号浜&length_min=2", "/rivers/?q=12号浜&length_min=1")
    measure(client, "API /api/v1/rivers/ (town, session)", "/api/v1/rivers/")
    # A fresh read token for this run (only hashes are stored, so an old one cannot be reused).
    _token, key = create_api_client(
        name="bench", region=Region.objects.get(code=DISTRICT_CODE), scope="read"
    )
    auth = {"HTTP_AUTHORIZATION": f"Token {key}"}
    api = Client()
    measure(api, "API /api/v1/rivers/ (district token, 50k)", "/api/v1/rivers/", **auth)
    measure(api, "API /api/v1/rivers/?page=900 (district)", "/api/v1/rivers/?page=900", **auth)
    measure(
        api,
        "API /api/v1/rivers/?page_size=500 (district)",
        "/api/v1/rivers/?page_size=500",
        n=max(REQUESTS // 10, 10),
        **auth,
    )


if __name__ == "__main__":
    main()

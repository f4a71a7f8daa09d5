"""In-process times of the pages that show river statuses, on the benchmark district.

For one town of the district (build it with bench/district.py) as its office sees it, on
2018-11-15 (the district's samples cover January to October 2018): the home page (the
dashboard, twelve months of water class), the water-quality list (/monitoring/), the map's
GeoJSON, a river's water page, and the API's river-status list, each through the Django test
client. Prints the median and p95 of the runs and the queries of the last run.

``--cold`` deletes the stored statuses before every run (the first visit after a change, or
the time before statuses were stored); without it an untimed first request stores them and
every timed run is a warm read.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_district \\
        .venv/bin/python bench/status_pages.py [--runs 7] [--cold]
"""

import argparse
import statistics
import time
from datetime import datetime
from zoneinfo import ZoneInfo

from _setup import setup_django


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--cold", action="store_true")
    parser.add_argument("--only", default="")
    args = parser.parse_args()
    setup_django("bench_district.sqlite3", fresh=False)
    import time_machine
    from django.apps import apps
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from core.models import Region, User
    from monitoring.models import MonitoringPoint

    stored = (
        apps.get_model("monitoring", "RiverPeriodStatus")
        if "riverperiodstatus" in apps.get_app_config("monitoring").models
        else None
    )
    town = Region.objects.filter(kind="town", code__startswith="310199").order_by("code").first()
    office = User.objects.get(username=f"b-office-{town.code}")
    river_id = (
        MonitoringPoint.objects.filter(river__region__code__startswith=town.code)
        .order_by("id")
        .values_list("river_id", flat=True)
        .first()
    )
    client = Client(HTTP_HOST="localhost")
    client.force_login(office)
    pages = [
        ("home (dashboard)", "/"),
        ("water-quality list", "/monitoring/?period=2018-10"),
        ("river water page", f"/monitoring/rivers/{river_id}/?period=2018-10"),
        ("map geojson", "/overview/map.geojson"),
        ("api river-status p1", "/api/v1/monitoring/river-status/?period=2018-10"),
        ("api river-status p10", "/api/v1/monitoring/river-status/?period=2018-10&page=10"),
    ]
    at = datetime(2018, 11, 15, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
    print(f"town {town.code}, as at {at:%Y-%m-%d}, {'cold' if args.cold else 'warm'}")
    with time_machine.travel(at, tick=True):
        for label, url in pages:
            if args.only not in label:
                continue
            times, status, size = [], None, 0
            if not args.cold:
                client.get(url)  # not timed: stores what is missing, compiles templates
            for _ in range(args.runs):
                if args.cold and stored is not None:
                    stored.objects.all().delete()
                with CaptureQueriesContext(connection) as queries:
                    started = time.perf_counter()
                    response = client.get(url)
                    content = response.content
                    times.append(time.perf_counter() - started)
                status, size = response.status_code, len(content)
            ordered = sorted(times)
            p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
            print(
                f"{label:22} {statistics.median(times) * 1000:7.0f} ms median "
                f"{p95 * 1000:7.0f} ms p95  {len(queries.captured_queries):3} queries  "
                f"HTTP {status} {size / 1024:.0f} KiB"
            )


if __name__ == "__main__":
    main()

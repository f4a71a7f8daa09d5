"""Times of the overview on the benchmark district (build it first with bench/district.py).

For one town of the district (2,500 rivers, 10 villages) as its office sees it: the dashboard
(12 months of water class, duty per village, orders, measures, letters), the map's GeoJSON, a
month's scorecards computed and stored, and the annual report. Prints the median of a few runs
and the number of queries each one ran.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_district \\
        .venv/bin/python bench/overview.py [--runs 5]
"""

import argparse
import statistics
import time
from datetime import date, datetime
from zoneinfo import ZoneInfo

from _setup import setup_django


def measure(label: str, runs: int, fn) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            fn()
            times.append(time.perf_counter() - started)
    print(f"{label}: {statistics.median(times) * 1000:.0f} ms ({len(queries)} queries)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    setup_django("bench_district.sqlite3", fresh=False)
    from core.models import Region, User
    from overview.scoping import town_viewer
    from overview.selectors.dashboard import dashboard_for
    from overview.selectors.map import map_layers
    from overview.selectors.report import annual_report
    from overview.services.assessment import compute_scorecards
    from rivers.models import River

    town = Region.objects.filter(kind="town", code__startswith="310199").order_by("code").first()
    office = User.objects.get(username=f"b-office-{town.code}")
    viewer = town_viewer(office, town)
    # The district's samples cover January to October 2018: the dashboard of November 2018.
    at = datetime(2018, 11, 15, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
    rivers = River.objects.filter(region__code__startswith=town.code).count()
    print(f"town {town.code} ({rivers} rivers owned), as at {at:%Y-%m-%d}")
    measure("dashboard", args.runs, lambda: dashboard_for(viewer=viewer, town=town, at=at))
    measure("map layers", args.runs, lambda: map_layers(viewer=viewer, town=town, at=at))
    measure(
        "scorecards of 2018-03 (compute and store)",
        args.runs,
        lambda: compute_scorecards(town=town, month=date(2018, 3, 1)),
    )
    measure(
        "annual report 2018", args.runs, lambda: annual_report(viewer=viewer, town=town, year=2018)
    )


if __name__ == "__main__":
    main()

"""What a page map's walk reads and costs on the benchmark district (``core/page_map.py``).

For each API list that reads ``?page=N`` by its page map, prints the tables whose writes drop
the map and the median milliseconds of walking it to page 900, twice: with the joins of the
list's shown columns (``--all-joins``: as before ``page_map.deciding``) and with only those of
its filters and ordering. Read-only: the session refuses writes, so it can run on a district
others are measuring.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_big \\
        .venv/bin/python bench/page_maps.py [--runs 3] [--page 900] [--only patrols]
"""

import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _setup import setup_django

TOWN = "310199010"  # a town in the middle of the code order, as bench/load.py uses


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--page", type=int, default=900)
    parser.add_argument("--size", type=int, default=50)
    parser.add_argument("--only", default="", help="labels containing this")
    return parser.parse_args()


def callers() -> dict:
    from core.models import Region, User

    district = Region.objects.get(code="310199")
    return {
        # An API client of the district, as a district read token's user is (not saved).
        "district": User(role=User.Role.DISTRICT_CLIENT, region=district, is_active=True),
        "town office": User.objects.get(username=f"b-office-{TOWN}"),
        "village chief": User.objects.get(username=f"b-chief-{TOWN}205"),
    }


def lists(users: dict) -> list[tuple[str, object]]:
    from core.rows import rows
    from patrols import selectors as patrols
    from patrols.serializers import PatrolSerializer
    from rivers.models import River
    from rivers.serializers import RiverSerializer

    found = []
    for who, user in users.items():
        found.append(
            (
                f"patrols ({who})",
                rows(patrols.patrols_for(user=user, finding_count=False), PatrolSerializer),
            )
        )
        found.append(
            (
                f"rivers ({who})",
                rows(River.objects.visible_to(user).select_related("region"), RiverSerializer),
            )
        )
    return found


def walk_ms(queryset, *, page: int, size: int, reduce: bool) -> tuple[float, list[str], int]:
    from django.db import connections

    from core import page_map, pagination

    ordering = pagination.total_ordering(queryset)
    queryset = queryset.order_by(*ordering)
    fields = [term.lstrip("-") for term in ordering]
    keys = queryset.prefetch_related(None).values_list(*fields)
    if reduce:
        keys = page_map.deciding(keys)
    connection = connections[keys.db]
    sql, _params = keys.query.get_compiler(using=keys.db).as_sql()
    tables = page_map._tables(connection, keys.db, sql) or []
    start = time.perf_counter()
    found = page_map._walk(keys, ordering, fields, connection, tables, size, page, None)
    ms = (time.perf_counter() - start) * 1000
    return ms, tables, len(found["ends"]) if found else 0


def main() -> None:
    args = parse_args()
    if "DATABASE_URL" not in os.environ:
        sys.exit("set DATABASE_URL to the database bench/district.py built")
    setup_django("unused.sqlite3", fresh=False)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SET default_transaction_read_only = on")
    for label, queryset in lists(callers()):
        if args.only and args.only not in label:
            continue
        for reduce in (False, True):
            times, tables, pages = [], [], 0
            for _ in range(args.runs):
                ms, tables, pages = walk_ms(queryset, page=args.page, size=args.size, reduce=reduce)
                times.append(ms)
            how = "filters and order" if reduce else "all joins"
            print(
                f"{label:28} {how:17} {statistics.median(times):8.1f} ms  "
                f"{pages:4} pages  {', '.join(tables)}"
            )


if __name__ == "__main__":
    main()

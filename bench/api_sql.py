"""The SQL of each API list, with its plan: EXPLAIN ANALYZE of every query a request makes.

Calls the API lists of ``bench/api_inprocess.py`` in-process (the same callers and URLs) and
prints, per endpoint, each query with its plan, so a sequential scan or a sort of a whole
table shows. PostgreSQL only (the plans are PostgreSQL's).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_district \\
        .venv/bin/python bench/api_sql.py [--only rivers] [--no-analyze]
"""

import argparse
import os
import sys

from _setup import setup_django

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="labels containing this (or, a, b, ...)")
    parser.add_argument("--no-analyze", action="store_true", help="plans without running them")
    args = parser.parse_args()
    if "DATABASE_URL" not in os.environ:
        sys.exit("set DATABASE_URL to the database bench/district.py built")
    from load import SERVER_ENV, credentials, endpoints

    os.environ.update(SERVER_ENV)
    os.environ.pop("TESTING", None)
    setup_django("bench_district.sqlite3", fresh=False)
    import floor_wsgi
    from api_inprocess import call
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    auth = credentials()
    wanted = args.only.split(",")
    explain = "EXPLAIN (COSTS OFF)" if args.no_analyze else "EXPLAIN (ANALYZE, COSTS OFF)"
    for label, path, headers in endpoints(auth):
        if "/api/" not in path or not any(w in label for w in wanted):
            continue
        call(floor_wsgi.application, path, headers)  # warm: token and scope caches
        with CaptureQueriesContext(connection) as captured:
            status, _body = call(floor_wsgi.application, path, headers)
        print(f"\n===== {label}  {path}  HTTP {status}, {len(captured)} queries")
        for query in captured:
            sql = query["sql"]
            print(f"\n--- {sql}\n")
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            with connection.cursor() as cursor:
                cursor.execute(f"{explain} {sql}")
                print("\n".join(row[0] for row in cursor.fetchall()))


if __name__ == "__main__":
    main()

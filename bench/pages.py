"""In-process times of the office and chief HTML pages on the benchmark district.

Renders each page with the Django test client (the whole middleware stack, templates
included) as a town's office and as one of its village chiefs, and prints per page the median
time of a few runs, this process's CPU time (the Python side: on a busy machine it
moves less than the wall time) and the number of queries. Build the district first with
``bench/district.py`` into the same database; ``bench/load.py`` measures the same pages over
HTTP under load.

``--profile <label>`` prints the cProfile of that page's requests instead (env
``PROFILE_LINES``: how many lines, 60; ``PROFILE_SORT``: pstats order, cumulative;
``PROFILE_DUMP=<file>``: the stats for pstats too).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_district \\
        .venv/bin/python bench/pages.py [--runs 5] [--only board] [--profile "order board"]
"""

import argparse
import cProfile
import io
import os
import pstats
import statistics
import time

from _setup import setup_django

TOWN = "310199010"  # a town in the middle of the code order, as bench/load.py uses


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--only", default="", help="measure only labels containing this (several: a,b)"
    )
    parser.add_argument("--sql", action="store_true", help="print each page's slowest queries")
    parser.add_argument(
        "--save",
        default="",
        help="write each page's last body to this directory (to diff a change's pages)",
    )
    parser.add_argument(
        "--profile", default="", help="cProfile --runs requests of the first page with this label"
    )
    return parser.parse_args()


def sample_ids(town_code: str) -> dict:
    """Ids of one record of each kind in the town, for the detail pages."""
    from directives.models import Directive
    from monitoring.models import Sample
    from patrols.models import Patrol
    from rivers.models import Chief, River

    village = f"{town_code}205"
    river = River.objects.filter(code__startswith=f"B-{village}-").order_by("code").first()
    chief = Chief.objects.filter(region__code=village).first()
    patrol = Patrol.objects.filter(river=river).order_by("-started_at").first() or (
        Patrol.objects.filter(region__code=village).first()
    )
    order = Directive.objects.filter(town__code=town_code).order_by("-year", "-serial").first()
    sample = Sample.objects.filter(point__region__code=village).order_by("-sampled_at").first()
    return {
        "village": village,
        "river": river,
        "chief": chief,
        "patrol": patrol,
        "order": order,
        "sample": sample,
    }


def pages(ids: dict) -> list[tuple[str, str, str]]:
    """(label, who, path): who is "office" or "chief" (a village chief of the same town)."""
    river, order, patrol = ids["river"], ids["order"], ids["patrol"]
    return [
        ("office home (dashboard)", "office", "/"),
        ("water quality", "office", "/monitoring/?period=2018-05"),
        ("order board", "office", "/directives/"),
        ("order board, closed", "office", "/directives/?status=closed"),
        ("order board, closed p.60", "office", "/directives/?status=closed&page=60"),
        ("order detail", "office", f"/directives/{order.pk}/"),
        ("order statistics", "office", "/directives/statistics/?year=2024"),
        ("inspection rounds", "office", "/directives/inspections/"),
        ("registry list", "office", "/rivers/"),
        ("registry list p.40", "office", "/rivers/?page=40"),
        ("registry ?q=", "office", "/rivers/?q=5%E5%8F%B7%E6%B5%9C"),
        ("river detail", "office", f"/rivers/{river.pk}/"),
        ("chief list", "office", "/rivers/chiefs/"),
        ("chief detail", "office", f"/rivers/chiefs/{ids['chief'].pk}/"),
        ("vacancies", "office", "/rivers/vacancies/"),
        ("patrol list", "office", "/patrols/"),
        ("patrol list p.300", "office", "/patrols/?page=300"),
        ("patrol detail", "office", f"/patrols/{patrol.pk}/"),
        ("patrol statistics", "office", "/patrols/stats/?year=2024"),
        ("patrol duty", "office", "/patrols/duty/?month=2024-05"),
        ("findings", "office", "/patrols/findings/"),
        ("letters", "office", "/letters/"),
        ("plans", "office", "/plans/"),
        ("small water bodies", "office", "/smallwater/"),
        ("signboard (public)", "anon", f"/public/r/{river.code}/"),
        ("public reports queue", "office", "/public/office/reports/"),
        ("public articles", "anon", "/public/articles/"),
        ("notices inbox", "office", "/notices/"),
        ("alert deliveries", "office", "/notices/deliveries/"),
        ("monitoring points", "office", "/monitoring/points/"),
        ("sample detail (history)", "office", f"/monitoring/samples/{ids['sample'].pk}/"),
        ("lab imports", "office", "/monitoring/imports/"),
        ("smart water sites", "office", "/smartwater/"),
        ("locked logins", "office", "/accounts/locked/"),
        ("chief home", "chief", "/"),
        ("chief patrol list", "chief", "/patrols/"),
        ("chief orders", "chief", "/directives/mine/"),
        ("chief letters", "chief", "/letters/"),
        ("chief registry", "chief", "/rivers/"),
        ("chief river detail", "chief", f"/rivers/{river.pk}/"),
        ("chief patrol start", "chief", "/patrols/start/"),
        ("chief notices", "chief", "/notices/"),
    ]


def main() -> None:
    args = parse_args()
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("SECRET_KEY", "bench-" + "x" * 50)
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
    setup_django("bench_district.sqlite3", fresh=False)
    from django.conf import settings
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext

    from core.models import User

    ids = sample_ids(TOWN)
    clients = {"anon": Client()}
    clients["office"] = Client()
    clients["office"].force_login(User.objects.get(username=f"b-office-{TOWN}"))
    clients["chief"] = Client()
    clients["chief"].force_login(User.objects.get(username=f"b-chief-{ids['village']}"))
    storage = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    print(f"{connection.vendor}, town {TOWN}, chief of {ids['village']}, {args.runs} runs")
    print(
        "| page | who | status | ms (median) | CPU ms (median) | queries | KB |\n"
        "| --- | --- | --- | --- | --- | --- | --- |"
    )
    with override_settings(STORAGES={**settings.STORAGES, "staticfiles": storage}):
        if args.profile:
            label, who, path = next(p for p in pages(ids) if args.profile in p[0])
            clients[who].get(path)  # warm: templates compiled, caches filled
            profiler = cProfile.Profile(time.process_time)
            profiler.enable()
            for _ in range(args.runs):
                clients[who].get(path)
            profiler.disable()
            if os.environ.get("PROFILE_DUMP"):
                profiler.dump_stats(os.environ["PROFILE_DUMP"])
            out = io.StringIO()
            stats = pstats.Stats(profiler, stream=out)
            stats.sort_stats(os.environ.get("PROFILE_SORT", "cumulative"))
            stats.print_stats(int(os.environ.get("PROFILE_LINES", 60)))
            print(f"{label} ({who}, {path}), {args.runs} requests")
            print(out.getvalue())
            return
        for label, who, path in pages(ids):
            if args.only and not any(part in label for part in args.only.split(",")):
                continue
            client = clients[who]
            times, cpu = [], []
            for _ in range(args.runs):
                with CaptureQueriesContext(connection) as queries:
                    started, cpu_started = time.perf_counter(), time.process_time()
                    response = client.get(path)
                    times.append(time.perf_counter() - started)
                    cpu.append(time.process_time() - cpu_started)
            print(
                f"| {label} | {who} | {response.status_code} | "
                f"{statistics.median(times) * 1000:,.0f} | {statistics.median(cpu) * 1000:,.0f} | "
                f"{len(queries)} | "
                f"{len(response.content) / 1024:,.0f} |",
                flush=True,
            )
            if args.save:
                os.makedirs(args.save, exist_ok=True)
                name = "".join(c if c.isalnum() else "-" for c in label)
                with open(os.path.join(args.save, f"{name}.html"), "wb") as out:
                    out.write(response.content)
            if args.sql:
                slowest = sorted(queries.captured_queries, key=lambda q: -float(q["time"]))
                for q in slowest[:3]:
                    print(f"    {float(q['time']) * 1000:7.1f} ms  {q['sql'][:300]}")


if __name__ == "__main__":
    main()

"""Whole-town signboard print: the office's request against the worker's chunks and join, with
the old way (one WeasyPrint run inside the request) measured in the same run as the baseline.

Needs the demo town (or any town with rivers) in the database:

    createdb -h 127.0.0.1 -U postgres sign_bench
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/sign_bench
    .venv/bin/python manage.py migrate && .venv/bin/python manage.py demo_town
    .venv/bin/python bench/signboards_print.py [--town 310116102] [--village CODE] [--no-old]

The request runs through Django's test client with the broker in memory (the task is only
published, as in production); the worker's part then runs the published chunks in this
process, one task at a time, as one worker would. Prints wall times, query counts and the
process's memory (RSS now, and its peak) after each step.
"""

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time

from _setup import setup_django


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--town", default="", help="town code (default: the first with an office)")
    parser.add_argument("--village", default="", help="print one village's rivers only")
    parser.add_argument("--no-old", action="store_true", help="skip the old in-request render")
    parser.add_argument("--chunk", type=int, default=0, help="rivers per task (default: CHUNK)")
    args = parser.parse_args()

    os.environ.setdefault("MEDIA_ROOT", tempfile.mkdtemp(prefix="bench-signboards-"))
    setup_django("db.sqlite3", fresh=False)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from config.celery import app
    from core.models import Region, User
    from public import prints
    from public.models import SignboardPrint
    from public.pdf import signboards_pdf
    from public.selectors import print_rivers

    # Publish to an in-memory broker: the request only queues, as with a real worker.
    app.conf.task_always_eager = False
    app.conf.broker_url = "memory://"

    if args.chunk:
        prints.CHUNK = args.chunk
    offices = User.objects.filter(
        role=User.Role.OFFICE, region__kind=Region.Kind.TOWN, is_superuser=False
    )
    if args.town:
        offices = offices.filter(region__code=args.town)
    office = offices.select_related("region").order_by("region__code", "pk").first()
    if office is None:
        sys.exit("no town office in this database: build the demo first (manage.py demo_town)")
    town = office.region
    village = Region.objects.get(code=args.village) if args.village else None
    rivers = print_rivers(region=town, village=village)
    n = rivers.count()
    SignboardPrint.objects.filter(region=town, village=village).delete()
    print(f"{town.name} {town.code}{' / ' + village.name if village else ''}: {n} rivers")
    print(f"chunk {prints.CHUNK} rivers per task; load average {os.getloadavg()}")

    client = Client()
    client.force_login(office)
    # Warm the process as a serving one is: templates, URL resolver, the broker connection.
    assert client.get(reverse("public:office")).status_code == 200
    other = Region.objects.filter(kind=Region.Kind.VILLAGE, code__startswith=town.code)
    warm = other.exclude(pk=getattr(village, "pk", None)).order_by("code").first()
    assert (
        client.post(reverse("public:signboards-request"), {"village": warm.pk}).status_code == 302
    )
    SignboardPrint.objects.filter(village=warm).delete()
    data = {"village": village.pk if village else ""}
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = client.post(reverse("public:signboards-request"), data)
        request_s = time.perf_counter() - started
    assert response.status_code == 302, response.status_code
    job = SignboardPrint.objects.get(region=town, village=village, status="queued")
    page_url = reverse("public:signboards-print", args=[job.pk])
    with CaptureQueriesContext(connection) as page_queries:
        started = time.perf_counter()
        assert client.get(page_url, HTTP_HX_REQUEST="true").status_code == 200
        poll_s = time.perf_counter() - started

    rss_before = rss_mb()
    chunk_times = []
    part = 0
    started = time.perf_counter()
    while True:
        step_started = time.perf_counter()
        step = prints.render_part(print_id=job.pk, part=part)
        chunk_times.append(time.perf_counter() - step_started)
        if step.next_part is None:
            break
        part = step.next_part
    worker_s = time.perf_counter() - started
    join_s = chunk_times.pop()  # the last task found no river left and joined the chunks
    job.refresh_from_db()
    assert job.status == "done", (job.status, job.error)
    size_mb = job.file.size / 1024 / 1024
    rss_after, peak_new = rss_mb(), peak_mb()

    print()
    print("| step | wall | queries | RSS after / peak |")
    print("| --- | --- | --- | --- |")
    print(f"| POST request (queues) | {request_s * 1000:.0f} ms | {len(queries)} | |")
    print(f"| status poll (htmx) | {poll_s * 1000:.0f} ms | {len(page_queries)} | |")
    print(
        f"| worker: {len(chunk_times)} chunks | {worker_s - join_s:.1f} s "
        f"(chunk median {statistics.median(chunk_times):.1f} s, max {max(chunk_times):.1f} s) "
        f"| | {rss_before:.0f} MB before |"
    )
    print(
        f"| worker: join ({job.rivers_done} pages, {size_mb:.1f} MB) | {join_s:.1f} s | "
        f"| {rss_after:.0f} / {peak_new:.0f} MB |"
    )
    if not args.no_old:
        started = time.perf_counter()
        signboards_pdf(rivers=rivers)
        old_s = time.perf_counter() - started
        print(
            f"| old: one render inside the request | {old_s:.1f} s | | "
            f"{rss_mb():.0f} / {peak_mb():.0f} MB |"
        )
        print()
        print(
            f"request: {old_s * 1000 / (request_s * 1000):.0f}x shorter than the old one; "
            f"worker total {worker_s:.1f} s vs old {old_s:.1f} s ({worker_s / old_s:.2f}x)"
        )
    print(f"load average {os.getloadavg()}")


if __name__ == "__main__":
    main()

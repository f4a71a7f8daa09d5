"""Import 100,000 lab-sheet rows and print the throughput; then time the river list on that data.

    .venv/bin/python bench/monitoring_import.py [--rows 100000] [--format xlsx|csv]

Uses DATABASE_URL if set (e.g. postgres://postgres@127.0.0.1:5432/bench_monitoring), otherwise a
fresh SQLite file var/bench-monitoring.sqlite3. Builds a synthetic district (20 villages, 500
rivers, 1,000 monitoring points), writes a lab spreadsheet with Chinese headers and units, runs
the same services the page and the Celery tasks run (check + preview, then the all-or-nothing
import), and prints rows per second for each step.
"""

import argparse
import csv
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from _setup import setup_django

setup_django("bench-monitoring.sqlite3", fresh=True)

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

HEADER = [
    "点位编码",
    "采样时间",
    "采样人",
    "检测单位",
    "样品编号",
    "水温(℃)",
    "pH(无量纲)",
    "溶解氧(mg/L)",
    "高锰酸盐指数(mg/L)",
    "化学需氧量(mg/L)",
    "五日生化需氧量(mg/L)",
    "氨氮(mg/L)",
    "总磷(mg/L)",
    "总氮(mg/L)",
    "透明度(cm)",
    "氧化还原电位(mV)",
]


def build_district(points: int):
    from core.models import Region, User
    from monitoring.models import MonitoringPoint
    from rivers.models import River

    district = Region.objects.create(code="310199", name="基准区", kind="district")
    town = Region.objects.create(code="310199101", name="基准镇", kind="town", parent=district)
    villages = Region.objects.bulk_create(
        [
            Region(code=f"310199101{200 + i:03d}", name=f"基准{i}村", kind="village", parent=town)
            for i in range(20)
        ]
    )
    rivers = River.objects.bulk_create(
        [
            River(
                code=f"BR{i:04d}",
                name=f"基准河{i}",
                level="village",
                length_km=1,
                region=villages[i % 20],
                target_class=4,
            )
            for i in range(points // 2)
        ]
    )
    MonitoringPoint.objects.bulk_create(
        [
            MonitoringPoint(
                code=f"BP{i:05d}",
                name=f"断面{i}",
                river=rivers[i // 2],
                region=rivers[i // 2].region,
                position=i % 2 + 1,
            )
            for i in range(points)
        ]
    )
    user = User.objects.create(username="bench-office", role="office", region=town)
    return user, [r.id for r in rivers]


def lab_rows(n: int, points: int):
    start = datetime(2018, 1, 1, 8, 0)
    for i in range(n):
        p, k = divmod(i, n // points)
        at = start + timedelta(hours=k * 3)
        yield [
            f"BP{p:05d}",
            at.strftime("%Y-%m-%d %H:%M"),
            "王芳",
            "基准检测站",
            f"B-{i}",
            f"{10 + i % 20:.1f}",
            f"{6.8 + (i % 12) / 10:.2f}",
            f"{2.5 + (i % 50) / 10:.2f}",
            f"{3 + i % 9:.1f}",
            f"{15 + i % 20:.1f}",
            f"{2 + i % 6:.1f}",
            f"{0.2 + (i % 30) / 10:.2f}",
            f"{0.05 + (i % 40) / 100:.3f}",
            f"{1 + (i % 30) / 10:.2f}",
            str(20 + i % 40),
            str(-50 + i % 300),
        ]


def write_file(n: int, points: int, fmt: str) -> Path:
    path = Path(tempfile.mkdtemp()) / f"bench.{fmt}"
    if fmt == "csv":
        with open(path, "w", newline="", encoding="utf-8-sig") as fh:
            w = csv.writer(fh)
            w.writerow(HEADER)
            w.writerows(lab_rows(n, points))
    else:
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        ws = wb.create_sheet("化验单")
        ws.append(HEADER)
        for row in lab_rows(n, points):
            # As a lab's Excel file holds them: numbers as numbers, the time as a date cell.
            at = datetime.strptime(row[1], "%Y-%m-%d %H:%M")
            ws.append([*row[:1], at, *row[2:5], *(float(v) for v in row[5:])])
        wb.save(path)
    return path


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--points", type=int, default=1000)
    parser.add_argument("--format", choices=["xlsx", "csv"], default="xlsx")
    args = parser.parse_args()

    from monitoring import selectors, services
    from monitoring.models import ImportJob, Sample
    from monitoring.periods import Period

    print(f"database: {connection.vendor} ({connection.settings_dict['NAME']})")
    call_command("migrate", verbosity=0)
    user, _river_ids = build_district(args.points)
    t = time.perf_counter()
    path = write_file(args.rows, args.points, args.format)
    print(
        f"wrote {args.rows:,} rows as {args.format} in {time.perf_counter() - t:.1f} s "
        f"({path.stat().st_size / 1e6:.1f} MB)"
    )

    upload = SimpleUploadedFile(path.name, path.read_bytes())
    t = time.perf_counter()
    job = services.start_import(upload=upload, by=user)  # the check task runs eagerly here
    job.refresh_from_db()
    check = time.perf_counter() - t
    assert job.status == ImportJob.Status.READY, job.errors[:5]
    print(f"check + preview: {check:.1f} s, {args.rows / check:,.0f} rows/s")

    t = time.perf_counter()
    services.confirm_import(job=job, by=user)  # re-check, then one transaction
    job.refresh_from_db()
    run = time.perf_counter() - t
    assert job.status == ImportJob.Status.DONE, job.errors[:5]
    assert Sample.objects.count() == args.rows
    print(f"import (re-check + insert with history): {run:.1f} s, {args.rows / run:,.0f} rows/s")
    print(f"upload to imported: {check + run:.1f} s, {args.rows / (check + run):,.0f} rows/s")

    period = Period.year(2018)
    reset_queries()
    with CaptureQueriesContext(connection) as ctx:
        t = time.perf_counter()
        rows = selectors.river_quality_rows(user=user, period=period)
        took = time.perf_counter() - t
    print(
        f"river list for 2018: {len(rows)} rivers over {args.rows:,} samples in {took * 1000:.0f} ms,"
        f" {len(ctx.captured_queries)} queries"
    )


if __name__ == "__main__":
    main()

"""Import 100,000 lab-sheet rows and print the throughput; then time the river list on that data.

    .venv/bin/python bench/monitoring_import.py [--rows 100000] [--format xlsx|csv]

Uses DATABASE_URL if set (e.g. postgres://postgres@127.0.0.1:5432/bench_monitoring), otherwise a
fresh SQLite file var/bench-monitoring.sqlite3. Builds a synthetic district (20 villages, 500
rivers, 1,000 monitoring points), writes a lab spreadsheet with Chinese headers and units, runs
the same services the page and the Celery tasks run (check + preview, then the all-or-nothing
import), and prints rows per second for each step.

End to end through a real worker (``--e2e``): the file is uploaded through the service, a
Celery worker started here (prefork, one child, DEBUG off) on the broker of
``CELERY_BROKER_URL`` checks it, the bench confirms as soon as the preview is ready, and the
worker imports it. ``--runs`` files (new samples each time, so the table grows) one after the
other; per run the time of each stage, the worker child's CPU seconds, its RSS before, after
and at its peak, and beside them the floor measured in the same run: the stock parse of the
same file (openpyxl read-only, values only) plus a bare COPY of as many rows into a scratch
table (PostgreSQL only)::

    CELERY_BROKER_URL=redis://127.0.0.1:6379/15 \\
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/import_bench \\
    .venv/bin/python bench/monitoring_import.py --e2e --runs 3
"""

import argparse
import csv
import os
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from _setup import BASE_DIR, setup_django


def parse_args():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--points", type=int, default=1000)
    parser.add_argument("--format", choices=["xlsx", "csv"], default="xlsx")
    parser.add_argument("--e2e", action="store_true", help="through a real Celery worker")
    parser.add_argument("--runs", type=int, default=3, help="imports one after the other (--e2e)")
    return parser.parse_args()


ARGS = parse_args()
setup_django("bench-monitoring.sqlite3", fresh=True, eager=not ARGS.e2e)

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


def lab_rows(n: int, points: int, run: int = 0):
    """The rows of run ``run``: a year later and other sample numbers for each run."""
    start = datetime(2018 + run, 1, 1, 8, 0)
    for i in range(n):
        p, k = divmod(i, n // points)
        at = start + timedelta(hours=k * 3)
        yield [
            f"BP{p:05d}",
            at.strftime("%Y-%m-%d %H:%M"),
            "王芳",
            "基准检测站",
            f"B{run}-{i}",
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


def write_file(n: int, points: int, fmt: str, run: int = 0, *, keep: bool = False) -> Path:
    """The lab file of run ``run``; with ``keep``, kept in var/bench-import/ and reused (the same
    rows every time: writing three 100,000-row .xlsx files takes minutes on a busy machine)."""
    if keep:
        path = BASE_DIR / "var" / "bench-import" / f"lab-{n}-{points}-{run}.{fmt}"
        if path.exists():
            return path
        path.parent.mkdir(parents=True, exist_ok=True)
    else:
        path = Path(tempfile.mkdtemp()) / f"bench-{run}.{fmt}"
    if fmt == "csv":
        with open(path, "w", newline="", encoding="utf-8-sig") as fh:
            w = csv.writer(fh)
            w.writerow(HEADER)
            w.writerows(lab_rows(n, points, run))
    else:
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        ws = wb.create_sheet("化验单")
        ws.append(HEADER)
        for row in lab_rows(n, points, run):
            # As a lab's Excel file holds them: numbers as numbers, the time as a date cell.
            at = datetime.strptime(row[1], "%Y-%m-%d %H:%M")
            ws.append([*row[:1], at, *row[2:5], *(float(v) for v in row[5:])])
        wb.save(path)
    return path


def main():
    args = ARGS
    if args.e2e:
        return end_to_end(args)
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


# --- end to end through a real worker -------------------------------------------------------------

TICKS = os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(c) for c in text.split()]


def _status(pid: int) -> dict[str, float]:
    """RSS and peak RSS (MB), CPU seconds (user + system) of one process."""
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out[key] = int(value.split()[0]) / 1024
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    out["cpu"] = (int(fields[11]) + int(fields[12])) / TICKS
    return out


def start_worker() -> tuple[subprocess.Popen, int]:
    """A Celery worker as production runs one (prefork, DEBUG off); (process, its pool child)."""
    env = {
        **os.environ,
        "DEBUG": "0",
        "ALLOWED_HOSTS": os.environ.get("ALLOWED_HOSTS", "localhost"),
        "CELERY_TASK_ALWAYS_EAGER": "false",
    }
    cmd = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "config",
        "worker",
        "-P",
        "prefork",
        "-c",
        "1",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "--loglevel=WARNING",
        "-n",
        f"import-bench-{os.getpid()}@%h",
    ]
    proc = subprocess.Popen(cmd, cwd=BASE_DIR, env=env)
    deadline = time.monotonic() + 120
    while not (children := _children(proc.pid)):
        if proc.poll() is not None or time.monotonic() > deadline:
            raise SystemExit("the worker did not start")
        time.sleep(0.2)
    time.sleep(3)  # let it connect and settle before the idle figure
    return proc, children[0]


def wait_for(job_id: int, statuses, timeout: float = 1800):
    from monitoring.models import ImportJob

    deadline = time.monotonic() + timeout
    while True:
        job = ImportJob.objects.get(pk=job_id)
        if job.status in statuses:
            return job
        if time.monotonic() > deadline:
            raise SystemExit(f"job {job_id} still {job.status} after {timeout:.0f} s")
        time.sleep(0.1)


def floor(path: Path, rows: int) -> tuple[float, float, float]:
    """The least any import of this file does, timed here: (parse, insert, CPU) seconds.

    Parse: openpyxl read-only, values only, nothing kept (csv: the csv module). Insert: one
    bare COPY of as many rows of the sample table's shape into a scratch table (PostgreSQL).
    """
    t, cpu = time.perf_counter(), time.process_time()
    if path.suffix == ".xlsx":
        from openpyxl import load_workbook

        wb = load_workbook(path, read_only=True, data_only=True)
        for _row in wb.worksheets[0].iter_rows(values_only=True):
            pass
        wb.close()
    else:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            for _row in csv.reader(fh):
                pass
    parse = time.perf_counter() - t
    if connection.vendor != "postgresql":
        return parse, 0.0, time.process_time() - cpu
    from monitoring.models import VALUE_FIELDS

    now = datetime.now().astimezone()
    t = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS floor_sample (LIKE monitoring_sample); "
            "TRUNCATE floor_sample"
        )
        cols = ["id", "point_id", "sampled_at", "source", "created_at", "updated_at", "sampler"]
        cols += ["lab", *VALUE_FIELDS[:12]]
        names = ", ".join(connection.ops.quote_name(c) for c in cols)
        sql = f"COPY floor_sample ({names}) FROM STDIN"
        with cursor.cursor.copy(sql) as copy:
            for i in range(rows):
                copy.write_row((i, 1, now, "import", now, now, "王芳", "基准检测站", *([1.5] * 12)))
    return parse, time.perf_counter() - t, time.process_time() - cpu


def end_to_end(args) -> None:
    from config.celery import app
    from monitoring import services
    from monitoring.models import ImportJob, Sample

    print(f"database: {connection.vendor} ({connection.settings_dict['NAME']})")
    print(f"broker: {app.conf.broker_url}")
    call_command("migrate", verbosity=0)
    user, _river_ids = build_district(args.points)
    files = [
        write_file(args.rows, args.points, args.format, run, keep=True) for run in range(args.runs)
    ]
    print(f"{args.runs} files of {args.rows:,} rows ({files[0].stat().st_size / 1e6:.1f} MB each)")
    app.control.purge()
    worker, child = start_worker()
    table = []
    try:
        idle = _status(child)
        print(f"worker child {child}: idle RSS {idle['VmRSS']:.0f} MB")
        for run, path in enumerate(files):
            parse_floor, insert_floor, floor_cpu = floor(path, args.rows)
            load = os.getloadavg()[0]
            before = _status(child)
            upload = SimpleUploadedFile(path.name, path.read_bytes())
            t0 = time.perf_counter()
            job = services.start_import(upload=upload, by=user)
            t1 = time.perf_counter()
            job = wait_for(job.pk, {ImportJob.Status.READY, ImportJob.Status.INVALID})
            t2 = time.perf_counter()
            assert job.status == ImportJob.Status.READY, job.errors[:5]
            checked = _status(child)
            services.confirm_import(job=job, by=user)
            job = wait_for(job.pk, {ImportJob.Status.DONE, ImportJob.Status.INVALID, "failed"})
            t3 = time.perf_counter()
            assert job.status == ImportJob.Status.DONE, job.errors[:5]
            assert Sample.objects.filter(import_job=job).count() == args.rows
            time.sleep(1)  # the task has returned and the child has released what it held
            after = _status(child)
            total = t3 - t0
            row = {
                "run": run + 1,
                "samples before": Sample.objects.count() - args.rows,
                "upload s": t1 - t0,
                "check s": t2 - t1,
                "import s": t3 - t2,
                "total s": total,
                "check cpu": checked["cpu"] - before["cpu"],
                "import cpu": after["cpu"] - checked["cpu"],
                "floor s": parse_floor + insert_floor,
                "÷ floor": total / (parse_floor + insert_floor),
                "floor cpu": floor_cpu,
                "cpu ÷ floor cpu": (after["cpu"] - before["cpu"]) / floor_cpu,
                "rss before": before["VmRSS"],
                "rss after": after["VmRSS"],
                "rss peak": after["VmHWM"],
                "load": load,
            }
            table.append(row)
            print(
                f"run {run + 1}: upload {row['upload s']:.1f} s, check + preview "
                f"{row['check s']:.1f} s (cpu {row['check cpu']:.1f}), import "
                f"{row['import s']:.1f} s (cpu {row['import cpu']:.1f}), total {total:.1f} s"
                f" = {args.rows / total:,.0f} rows/s; floor {row['floor s']:.1f} s (parse "
                f"{parse_floor:.1f} + COPY {insert_floor:.1f}, cpu {floor_cpu:.1f}), ÷ floor "
                f"{row['÷ floor']:.1f} (cpu {row['cpu ÷ floor cpu']:.1f});"
                f" worker RSS {row['rss before']:.0f} -> {row['rss after']:.0f} MB"
                f" (peak {row['rss peak']:.0f}); load {load:.2f}",
                flush=True,
            )
    finally:
        worker.terminate()
        worker.wait(timeout=60)
    print()
    print("| " + " | ".join(table[0]) + " |")
    print("|" + " --- |" * len(table[0]))
    for row in table:
        cells = [f"{v:,.1f}" if isinstance(v, float) else f"{v:,}" for v in row.values()]
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()

"""In-process cost of each API list against the floor: no network, no load generator.

Calls the bench's WSGI application (``bench/floor_wsgi.py``: the app plus the raw-SQL floor)
directly, endpoint after endpoint, interleaved over rounds, and prints per endpoint the median
milliseconds a request, the queries it made, and how many times the floor's cost it is. Quieter
than ``bench/load.py`` on a busy machine (one process, one core), so it is the tool to iterate
with; ``--profile <label>`` prints the cProfile of that endpoint's requests instead (env
``PROFILE_LINES``: how many lines, 60; ``PROFILE_DUMP=<file>``: the stats for pstats too).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_district \\
        .venv/bin/python bench/api_inprocess.py [--rounds 5] [--requests 20] [--only rivers]
"""

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import time
from urllib.parse import urlsplit

from _setup import setup_django

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=20, help="requests a round")
    parser.add_argument("--only", default="", help="labels containing this (or, a, b, ...)")
    parser.add_argument("--profile", default="", help="cProfile the endpoint with this label")
    return parser.parse_args()


def environ_for(path: str, headers: dict) -> dict:
    parts = urlsplit(path)
    env = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": parts.path,
        "QUERY_STRING": parts.query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8765",
        "HTTP_HOST": "127.0.0.1:8765",
        "REMOTE_ADDR": "127.0.0.1",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
    }
    for name, value in headers.items():
        env["HTTP_" + name.upper().replace("-", "_")] = value
    return env


def call(app, path: str, headers: dict) -> tuple[int, bytes]:
    status = []

    def start_response(line, _headers, exc_info=None):
        status.append(int(line.split()[0]))

    result = app(environ_for(path, headers), start_response)
    body = b"".join(result)
    if hasattr(result, "close"):
        result.close()
    return status[0], body


def main() -> None:
    args = parse_args()
    if "DATABASE_URL" not in os.environ:
        sys.exit("set DATABASE_URL to the database bench/district.py built")
    from load import SERVER_ENV, credentials, endpoints

    os.environ.update(SERVER_ENV)
    os.environ.pop("TESTING", None)
    setup_django("bench_district.sqlite3", fresh=False)
    import floor_wsgi
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    auth = credentials()
    app = floor_wsgi.application
    # The API lists (river status, an aggregate, only when asked for by --only).
    wanted = args.only.split(",")
    todo = [
        e
        for e in endpoints(auth)
        if "floor" in e[1]
        or (
            "/api/" in e[1]
            and any(w in e[0] for w in wanted)
            and ("river-status" not in e[1] or args.only)
        )
    ]
    queries = {}
    for label, path, headers in todo:
        with CaptureQueriesContext(connection) as captured:
            status, body = call(app, path, headers)
        queries[label] = len(captured)
        print(f"  {status} {len(body):>9,} B  {len(captured):>2} queries  {label}", flush=True)
        if status != 200:
            sys.exit(f"{label}: HTTP {status}: {body[:300]!r}")
    reset_queries()

    if args.profile:
        label, path, headers = next(e for e in todo if args.profile in e[0])
        profiler = cProfile.Profile(time.process_time)
        profiler.enable()
        for _ in range(args.requests):
            call(app, path, headers)
        profiler.disable()
        if os.environ.get("PROFILE_DUMP"):
            profiler.dump_stats(os.environ["PROFILE_DUMP"])
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out).sort_stats("cumulative")
        stats.print_stats(int(os.environ.get("PROFILE_LINES", 60)))
        print(out.getvalue())
        return

    # Wall time includes the database's work and, on a busy machine, the time other processes
    # held the core; CPU time is this process's own Python work, the part the app controls.
    wall: dict[str, list[float]] = {label: [] for label, _p, _h in todo}
    cpu: dict[str, list[float]] = {label: [] for label, _p, _h in todo}
    for _ in range(args.rounds):
        for label, path, headers in todo:
            start, start_cpu = time.perf_counter(), time.process_time()
            for _ in range(args.requests):
                call(app, path, headers)
            wall[label].append(1000 * (time.perf_counter() - start) / args.requests)
            cpu[label].append(1000 * (time.process_time() - start_cpu) / args.requests)
    floor = statistics.median(wall[todo[0][0]])
    floor_cpu = statistics.median(cpu[todo[0][0]])
    print(f"\n{args.rounds} rounds x {args.requests} requests, in-process, {connection.vendor}")
    print(
        "| endpoint | wall ms | CPU ms | queries | ÷ floor (wall) | ÷ floor (CPU) |\n|"
        + " --- |" * 6
    )
    for label in wall:
        ms, cpu_ms = statistics.median(wall[label]), statistics.median(cpu[label])
        print(
            f"| {label} | {ms:.2f} | {cpu_ms:.2f} | {queries[label]} | {ms / floor:.1f} | "
            f"{cpu_ms / floor_cpu:.1f} |"
        )
    print(f"load average: {os.getloadavg()}")


if __name__ == "__main__":
    main()

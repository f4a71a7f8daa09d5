"""Load bench: every main list and page against the raw-SQL floor, served by one gunicorn.

Serves the application with ``gunicorn -w 2`` (through ``bench/floor_wsgi.py``, which adds the
floor and a stock-DRF reference), then measures each endpoint with ``wrk -t2 -c8`` (installed
from Debian's packages if missing), interleaved: every round runs every endpoint once, the
floor included, so a busy machine slows all of them alike. Prints, per endpoint, the median
over the rounds of req/s, p50 and p95, and how many times slower than the floor it is.

The endpoints are the API lists (district and town tokens) and the HTML pages: the office's
home and water-quality page and the main pages of ``bench/pages.py`` as a town's office and as
one of its village chiefs (``--all-pages`` for every page it times; ``--only "page:"`` for the
pages alone).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_district \\
        .venv/bin/python bench/load.py [--rounds 3] [--seconds 5] [--only rivers]

Build the district first with ``bench/district.py`` into the same database.
"""

import argparse
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from _setup import BASE_DIR, setup_django

LUA = """
done = function(summary, latency, requests)
  io.write(string.format("BENCH %d %.3f %.3f %.3f %d\\n", summary.requests,
    summary.duration / 1e6, latency:percentile(50) / 1e3, latency:percentile(95) / 1e3,
    summary.errors.status + summary.errors.connect + summary.errors.read
    + summary.errors.timeout))
end
"""


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--only",
        default="",
        help="measure only labels containing this (several: separated by commas)",
    )
    parser.add_argument(
        "--all-pages",
        action="store_true",
        help="every HTML page bench/pages.py times, not only the main ones",
    )
    return parser.parse_args()


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    print("installing wrk from Debian's packages ...", flush=True)
    subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=True, capture_output=True)
    return shutil.which("wrk")


def credentials() -> dict[str, dict[str, str]]:
    """Headers per caller: a district read token, a one-town read token, an office session and
    a session of one of that town's village chiefs."""
    from django.test import Client

    from core.models import Region, User
    from core.services import create_api_client

    district = Region.objects.get(code="310199")
    town = Region.objects.get(code="310199010")  # a town in the middle of the code order
    _t, district_key = create_api_client(name="bench-district", region=district, scope="read")
    _t, town_key = create_api_client(name="bench-town", region=town, scope="read")
    client = Client()
    client.force_login(User.objects.get(username=f"b-office-{town.code}"))
    session = client.cookies["sessionid"].value
    chief = Client()
    chief.force_login(User.objects.get(username=f"b-chief-{town.code}205"))
    return {
        "district": {"Authorization": f"Token {district_key}"},
        "town": {"Authorization": f"Token {town_key}"},
        "office": {"Cookie": f"sessionid={session}"},
        "chief": {"Cookie": f"sessionid={chief.cookies['sessionid'].value}"},
        "none": {},
        "anon": {},
    }


# The HTML pages measured by default (bench/pages.py's labels); --all-pages measures them all.
MAIN_PAGES = {
    "order board",
    "order board, closed p.60",
    "order detail",
    "registry list",
    "registry list p.40",
    "river detail",
    "chief list",
    "vacancies",
    "patrol list",
    "patrol list p.300",
    "patrol statistics",
    "patrol duty",
    "findings",
    "letters",
    "plans",
    "small water bodies",
    "signboard (public)",
    "public reports queue",
    "sample detail (history)",
    "chief home",
    "chief patrol list",
    "chief orders",
    "chief registry",
}


def page_endpoints(auth: dict, everything: bool) -> list[tuple[str, str, dict]]:
    """The office's and the chief's HTML pages, as bench/pages.py times them in-process."""
    from pages import TOWN, pages, sample_ids

    return [
        (f"page: {label} ({who})", path, auth[who])
        for label, who, path in pages(sample_ids(TOWN))
        if everything or label in MAIN_PAGES
    ]


def endpoints(auth: dict) -> list[tuple[str, str, dict]]:
    """(label, path, headers); cursor links are read from a first page of each list."""
    d, t, o = auth["district"], auth["town"], auth["office"]
    found = [
        ("raw keyset SQL (the floor)", "/__floor__/rivers/", auth["none"]),
        ("stock DRF, same rows", "/__stock__/rivers/", auth["none"]),
        ("rivers/ page 1", "/api/v1/rivers/", d),
        ("rivers/?page=900", "/api/v1/rivers/?page=900", d),
        ("rivers/?cursor= page 1", "/api/v1/rivers/?cursor=", d),
        ("rivers/?cursor (45,000 rows in)", deep_cursor(), d),
        ("rivers/?modified_since", "/api/v1/rivers/?modified_since=2018-01-01T00:00:00Z", d),
        ("rivers/?q=12号浜", "/api/v1/rivers/?q=12%E5%8F%B7%E6%B5%9C", d),
        ("rivers/ (one town)", "/api/v1/rivers/", t),
        ("assignments/", "/api/v1/assignments/", d),
        ("patrols/", "/api/v1/patrols/", d),
        ("patrols/?page=900", "/api/v1/patrols/?page=900", d),
        ("directives/", "/api/v1/directives/", d),
        ("monitoring/samples/", "/api/v1/monitoring/samples/", d),
        # The router's other lists, read by a district system the same way.
        ("chiefs/", "/api/v1/chiefs/", d),
        ("findings/", "/api/v1/findings/", d),
        ("monitoring/points/", "/api/v1/monitoring/points/", d),
        ("regions/", "/api/v1/regions/", d),
        ("work-orders/", "/api/v1/work-orders/", d),
        ("water-bodies/", "/api/v1/water-bodies/", d),
        ("sluice-gates/", "/api/v1/sluice-gates/", d),
        ("letters/", "/api/v1/letters/", d),
        ("plans/", "/api/v1/plans/", d),
        ("measures/", "/api/v1/measures/", d),
        ("public-reports/", "/api/v1/public-reports/", d),
        ("river-status (town, 2018-05)", "/api/v1/monitoring/river-status/?period=2018-05", t),
        ("page: home (office)", "/", o),
        ("page: water quality (office)", "/monitoring/?period=2018-05", o),
    ]
    return found


def fetch(base: str, path: str, headers: dict) -> tuple[int, bytes]:
    request = urllib.request.Request(base + path, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def deep_cursor() -> str:
    """The cursor of the river list 45,000 rows in (page 900 of 50), as ``next`` would give."""
    from core.pagination import encode_cursor
    from rivers.models import River

    code, pk = River.objects.order_by("code", "pk").values_list("code", "pk")[45_000]
    return "/api/v1/rivers/?cursor=" + encode_cursor([code, pk], ["code", "pk"])


# Production settings for the server and for this process (the same key signs the session).
SERVER_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "bench-" + "x" * 50,
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "SECURE_SSL_REDIRECT": "false",  # plain HTTP on the loopback
    "LOG_LEVEL": "WARNING",
    # Throttling still runs on every request, with budgets a load generator does not reach
    # (the production default of 1,200 a minute per token would answer 429s, fast, instead).
    "API_THROTTLE_TOKEN": "10000000/min",
    "API_THROTTLE_USER": "10000000/min",
    "API_THROTTLE_ANON": "10000000/min",  # the floor's stock-DRF reference is anonymous
}


def start_gunicorn(port: int) -> subprocess.Popen:
    env = {**os.environ, **SERVER_ENV, "CELERY_TASK_ALWAYS_EAGER": "true"}
    env.pop("TESTING", None)
    process = subprocess.Popen(
        [
            str(BASE_DIR / ".venv" / "bin" / "gunicorn"),
            "--pythonpath",
            str(BASE_DIR / "bench"),
            "floor_wsgi:application",
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{port}",
            "--timeout",
            "300",
            "--log-level",
            "warning",
        ],
        cwd=BASE_DIR,
        env=env,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        time.sleep(0.3)
        try:
            fetch(base, "/__floor__/rivers/", {})
            return process
        except OSError:
            continue
    process.kill()
    sys.exit("gunicorn did not start")


def run_wrk(wrk: str, lua: str, url: str, headers: dict, args) -> tuple[float, float, float, int]:
    cmd = [wrk, "-t2", f"-c{args.connections}", f"-d{args.seconds}s", "-s", lua, "--timeout", "60s"]
    for name, value in headers.items():
        cmd += ["-H", f"{name}: {value}"]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, check=True).stdout
    match = re.search(r"BENCH (\d+) ([\d.]+) ([\d.]+) ([\d.]+) (\d+)", out)
    requests, seconds, p50, p95, errors = match.groups()
    return int(requests) / float(seconds), float(p50), float(p95), int(errors)


def main() -> None:
    args = parse_args()
    if "DATABASE_URL" not in os.environ:
        sys.exit("set DATABASE_URL to the database bench/district.py built")
    os.environ.update(SERVER_ENV)
    setup_django("bench_district.sqlite3", fresh=False)
    from django.core.management import call_command
    from django.db import connection

    wrk = ensure_wrk()
    # Pages need the manifest of hashed names; the server reads the same staticfiles.json. The
    # bench skips whitenoise's compression (minutes on this machine): it serves no static file.
    from django.conf import settings
    from django.test import override_settings

    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    with override_settings(STORAGES=storages):
        call_command("collectstatic", "--noinput", verbosity=0)
    auth = credentials()
    connection.close()
    gunicorn = start_gunicorn(args.port)
    # A TERM (timeout, Ctrl-C in a parent) still runs the finally below that stops gunicorn.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("terminated"))
    base = f"http://127.0.0.1:{args.port}"
    try:
        every = endpoints(auth) + page_endpoints(auth, args.all_pages)
        wanted = args.only.split(",")
        todo = [e for e in every if any(w in e[0] for w in wanted) or e[0].endswith("floor)")]
        for label, path, headers in todo:
            status, body = fetch(base, path, headers)  # warm-up, and a check it answers
            print(f"  {status} {len(body):>9,} B  {label}", flush=True)
            if status != 200:
                sys.exit(f"{label}: HTTP {status}: {body[:300]!r}")
        results: dict[str, list] = {label: [] for label, _p, _h in todo}
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
            lua.write(LUA)
        for r in range(args.rounds):
            for label, path, headers in todo:
                run = run_wrk(wrk, lua.name, base + path, headers, args)
                # wrk stops at the deadline, gunicorn does not: let the requests still queued
                # (a slow page's backlog) finish before the next endpoint's run starts.
                for _ in range(2):
                    fetch(base, "/__floor__/rivers/", {})
                results[label].append(run)
                print(
                    f"    {label}: {run[0]:.1f} req/s, p50 {run[1]:.0f} ms, "
                    f"p95 {run[2]:.0f} ms, {run[3]} errors",
                    flush=True,
                )
            print(f"round {r + 1}/{args.rounds} done", flush=True)
        Path(lua.name).unlink()
    finally:
        os.killpg(gunicorn.pid, signal.SIGTERM)
        gunicorn.wait(timeout=30)

    floor = statistics.median(x[0] for x in results[todo[0][0]]) or float("nan")
    print(
        f"\n{args.rounds} rounds x {args.seconds} s, wrk -t2 -c{args.connections}, "
        f"gunicorn -w 2, {connection.vendor}"
    )
    print(f"| endpoint | req/s | p50 | p95 | ÷ floor | % of floor |\n|{' --- |' * 6}")
    for label, runs in results.items():
        rps = statistics.median(x[0] for x in runs)
        p50 = statistics.median(x[1] for x in runs)
        p95 = statistics.median(x[2] for x in runs)
        errors = sum(x[3] for x in runs)
        flag = f" ({errors} errors)" if errors else ""
        ratio = f"{floor / rps:.1f}" if rps else "∞"  # nothing answered within the run
        print(
            f"| {label}{flag} | {rps:,.1f} | {p50:.0f} ms | {p95:.0f} ms | "
            f"{ratio} | {100 * rps / floor:.1f} % |"
        )


if __name__ == "__main__":
    main()

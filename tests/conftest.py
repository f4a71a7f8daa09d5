"""Fixtures shared by every test, and the rules for real parts (PostgreSQL, Redis, Chromium).

Outside CI a test that needs an absent real part is skipped with the reason; in CI (CI=true)
an absent part fails the run instead, so a green CI always means it was really tested.
"""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

from tests import factories

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
BASE_DIR = Path(settings.BASE_DIR)


def require(available: bool, what: str) -> None:
    """Skip outside CI when a real part is missing; fail in CI."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{what} is required in CI but is not available")
    pytest.skip(f"{what} is not available here")


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


# --- users ------------------------------------------------------------------------------------


@pytest.fixture
def town(db):
    return factories.TownFactory()


@pytest.fixture
def village(town):
    return factories.VillageFactory(parent=town)


@pytest.fixture
def other_village(town):
    return factories.VillageFactory(parent=town)


@pytest.fixture
def town_staff(town):
    return factories.UserFactory(role="office", region=town)


@pytest.fixture
def village_chief(village):
    user = factories.UserFactory(role="village_chief", region=village)
    factories.ChiefFactory(user=user, level="village", region=village)
    return user


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture
def district_token(town):
    """(token, key) of a read-only district client scoped to the town's district."""
    from core.services import create_api_client

    return create_api_client(name="district", region=town.parent, scope="read")


@pytest.fixture
def district_write_token(town):
    from core.services import create_api_client

    return create_api_client(name="district-w", region=town.parent, scope="write")


@pytest.fixture
def two_towns(db):
    """A district of two towns with two villages each and a river across the town border.

    Every permission test asks "can the other town do this?" with it::

        d = two_towns
        d.district                      金山区
        d.town_a, d.town_b              朱泾镇, 亭林镇
        d.village_a1, d.village_a2      villages of town A (d.village_b1, d.village_b2 of B)
        d.office_a, d.office_b          office staff of each town
        d.town_chief_a, d.town_chief_b  town-level chiefs (users), first chief of their town
        d.chief_a1, d.chief_a2, d.chief_b1, d.chief_b2
                                        village chiefs (users) of each village
        d.inspector                     the district's inspection group
        d.river_a1, d.river_a2, d.river_b1, d.river_b2
                                        a village-level river in each village, its chief assigned
        d.border_river                  owned by town B (level town), crossing village_b1 and
                                        village_a1; d.reach_b1 and d.reach_a1 are its reaches,
                                        answered for by chief_b1 and chief_a1 (village level)
                                        and town_chief_b (town level)
        d.read_token, d.write_token     (token, key) of district clients (scope 金山区)
        d.town_a_token                  (token, key) of a write client scoped to town A only
    """
    from types import SimpleNamespace

    from core.services import create_api_client

    d = SimpleNamespace()
    d.district = factories.DistrictFactory()
    d.town_a = factories.TownFactory(parent=d.district, name="朱泾镇")
    d.town_b = factories.TownFactory(parent=d.district, name="亭林镇")
    d.village_a1 = factories.VillageFactory(parent=d.town_a, name="待泾村")
    d.village_a2 = factories.VillageFactory(parent=d.town_a, name="秀州村")
    d.village_b1 = factories.VillageFactory(parent=d.town_b, name="亭东村")
    d.village_b2 = factories.VillageFactory(parent=d.town_b, name="南星村")

    def person(username, role, region, **chief):
        user = factories.UserFactory(username=username, role=role, region=region)
        if chief:
            factories.ChiefFactory(user=user, region=region, **chief)
        return user

    d.office_a = person("office-a", "office", d.town_a)
    d.office_b = person("office-b", "office", d.town_b)
    d.town_chief_a = person(
        "town-chief-a", "town_chief", d.town_a, level="town", title="first_chief"
    )
    d.town_chief_b = person(
        "town-chief-b", "town_chief", d.town_b, level="town", title="first_chief"
    )
    for key in ("a1", "a2", "b1", "b2"):
        village = getattr(d, f"village_{key}")
        setattr(
            d, f"chief_{key}", person(f"chief-{key}", "village_chief", village, level="village")
        )
        river = factories.RiverFactory(name=f"{village.name}浜", region=village)
        factories.AssignmentFactory(
            chief=getattr(d, f"chief_{key}").chief, river=river, level="village"
        )
        setattr(d, f"river_{key}", river)
    d.inspector = person("inspector-d", "inspector", d.district)

    d.border_river = factories.RiverFactory(
        name="界泾",
        level="town",
        region=d.town_b,
        regions=[d.town_b, d.village_b1, d.village_a1],
    )
    d.reach_b1 = factories.ReachFactory(river=d.border_river, name="亭东村段", village=d.village_b1)
    d.reach_a1 = factories.ReachFactory(river=d.border_river, name="待泾村段", village=d.village_a1)
    for user, reach, level in (
        (d.town_chief_b, d.reach_b1, "town"),
        (d.town_chief_b, d.reach_a1, "town"),
        (d.chief_b1, d.reach_b1, "village"),
        (d.chief_a1, d.reach_a1, "village"),
    ):
        factories.AssignmentFactory(
            chief=user.chief, river=d.border_river, reach=reach, level=level
        )

    d.read_token = create_api_client(name="district-r", region=d.district, scope="read")
    d.write_token = create_api_client(name="district-w", region=d.district, scope="write")
    d.town_a_token = create_api_client(name="town-a-w", region=d.town_a, scope="write")
    return d


# --- real parts -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def chromium_path():
    require(Path(CHROMIUM).exists(), f"Debian's Chromium at {CHROMIUM}")
    return CHROMIUM


@pytest.fixture(scope="session")
def browser(chromium_path):
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium_path,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(locale="zh-CN", base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def phone_page(browser, live_server):
    """A phone-sized page with a position over Zhujing."""
    context = browser.new_context(
        locale="zh-CN",
        base_url=live_server.url,
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        geolocation={"latitude": 30.9, "longitude": 121.17},
        permissions=["geolocation"],
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def login(page, username: str, password: str = factories.PASSWORD) -> None:
    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)


@pytest.fixture(scope="session")
def redis_url():
    require(_port_open("127.0.0.1", 6379), "Redis at 127.0.0.1:6379")
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if worker.startswith("gw"):
        # One Redis database per xdist process: otherwise one test's flushdb empties another's
        # queue and its worker (reading another test database) takes the other's tasks.
        base, _, db = REDIS_URL.rpartition("/")
        return f"{base}/{(int(db or 0) + int(worker[2:])) % 16}"
    return REDIS_URL


def _worker_env(redis_url: str, **extra: str) -> dict:
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        database_url = f"sqlite:///{db['NAME']}"
    else:
        database_url = (
            f"postgres://{db.get('USER') or ''}@{db.get('HOST') or '127.0.0.1'}:"
            f"{db.get('PORT') or 5432}/{db['NAME']}"
        )
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        CELERY_BROKER_URL=redis_url,
        CELERY_TASK_ALWAYS_EAGER="false",
        TESTING="true",
        DEBUG="true",
        EMAIL_URL="consolemail://",
    )
    env.update(extra)
    return env


class WorkerProcess:
    """A real ``celery worker`` in its own process, on Redis and on the test database."""

    # The Celery app module; tests/faults use one that injects crashes (tests.faults.crashes).
    app = "config"

    def __init__(self, redis_url: str, log: Path, **env: str):
        self.redis_url = redis_url
        self.log = log
        self.env = env
        self.proc = None

    def start(self, concurrency: int = 1) -> "WorkerProcess":
        cmd = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            self.app,
            "worker",
            "--pool=solo" if concurrency == 1 else "--pool=prefork",
            f"--concurrency={concurrency}",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-n",
            f"test-{os.getpid()}@%h",
        ]
        self._fh = open(self.log, "ab")  # noqa: SIM115
        self.proc = subprocess.Popen(
            cmd,
            cwd=BASE_DIR,
            env=_worker_env(self.redis_url, **self.env),
            stdout=self._fh,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.log.read_text(errors="replace").count("ready.") > self._ready_seen:
                self._ready_seen += 1
                return self
            if self.proc.poll() is not None:
                raise RuntimeError(f"worker exited: {self.log.read_text(errors='replace')[-3000:]}")
            time.sleep(0.2)
        raise RuntimeError("worker did not become ready in 60 s")

    _ready_seen = 0

    def kill(self) -> None:
        """SIGKILL, as a crash would: no graceful shutdown."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, 9)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, 15)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()
        if getattr(self, "_fh", None):
            self._fh.close()


@pytest.fixture
def celery_worker_process(redis_url, transactional_db, tmp_path):
    """Point this process's Celery app at Redis and start a real worker process.

    Use with ``transactional_db`` semantics: the worker reads what the test has committed.
    Yields the :class:`WorkerProcess`, which the test may ``kill()`` and ``start()`` again.
    """
    import redis

    from config.celery import app

    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    old = (app.conf.broker_url, app.conf.task_always_eager, app.conf.broker_transport_options)
    app.conf.broker_url = redis_url
    app.conf.task_always_eager = False
    app.conf.broker_transport_options = {}
    _reset_broker_pools(app)
    worker = WorkerProcess(redis_url, tmp_path / "worker.log")
    worker.start()
    try:
        yield worker
    finally:
        worker.stop()
        app.conf.broker_url, app.conf.task_always_eager, app.conf.broker_transport_options = old
        _reset_broker_pools(app)
        client.flushdb()


@pytest.fixture
def embedded_worker_process(transactional_db, tmp_path):
    """A real worker on the embedded default: kombu's filesystem broker, no Redis at all.

    The queue lives in a folder of its own, so a developer's running worker cannot take the
    test's tasks.
    """
    from config.celery import app

    queue = tmp_path / "queue"
    (queue / "processed").mkdir(parents=True)
    options = {
        "data_folder_in": str(queue),
        "data_folder_out": str(queue),
        "processed_folder": str(queue / "processed"),
        "control_folder": str(queue / "control"),
        "store_processed": False,
    }
    old = (app.conf.broker_url, app.conf.task_always_eager, app.conf.broker_transport_options)
    app.conf.broker_url = "filesystem://"
    app.conf.task_always_eager = False
    app.conf.broker_transport_options = options
    _reset_broker_pools(app)
    worker = WorkerProcess("filesystem://", tmp_path / "worker.log", CELERY_QUEUE_DIR=str(queue))
    worker.start()
    try:
        yield worker
    finally:
        worker.stop()
        app.conf.broker_url, app.conf.task_always_eager, app.conf.broker_transport_options = old
        _reset_broker_pools(app)


def _reset_broker_pools(app) -> None:
    """Drop the cached connection and producer pools so the next send uses the new broker.

    ``force_close_all`` alone leaves a closed pool behind ("Acquire on closed pool").
    """

    from kombu import pools

    if app._pool is not None:
        app._pool.force_close_all()
        app._pool = None
    app.amqp._producer_pool = None

    # kombu keeps producer pools per connection in a process-wide registry; drop them too,
    # or a later test (even in eager mode) acquires a producer from a closed pool.
    pools.reset()


def wait_until(predicate, timeout: float = 30, interval: float = 0.2):
    """Poll until ``predicate()`` is truthy (for work done by another process)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"condition not met in {timeout} s")


@pytest.fixture(scope="session", autouse=True)
def _ci_requires_real_parts():
    """In CI, fail early if a real part is missing rather than skipping quietly."""
    if not IN_CI:
        return
    missing = []
    if not Path(CHROMIUM).exists():
        missing.append("chromium")
    if not _port_open("127.0.0.1", 6379):
        missing.append("redis")
    if os.environ.get("REQUIRE_POSTGRES") and not settings.DATABASES["default"]["ENGINE"].endswith(
        "postgresql"
    ):
        missing.append("postgresql")
    if missing:
        pytest.fail(f"CI needs these real parts: {', '.join(missing)}")


@pytest.fixture(autouse=True)
def _default_language_after_each_test():
    """A request in English (LocaleMiddleware activates the language for the thread and never
    deactivates it) must not turn later tests of the same worker English."""
    yield
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)

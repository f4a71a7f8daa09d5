"""Fixtures of the fault tests: a Redis of the test's own, real sinks, crashable workers."""

import os
import subprocess

import pytest

from tests.conftest import WorkerProcess, _port_open, _reset_broker_pools, require, wait_until
from tests.faults.sinks import SmsSink, SmtpSink


class RedisServer:
    """A redis-server of the test's own, without persistence: a restart loses every message."""

    def __init__(self, port: int, folder):
        self.port, self.folder, self.proc = port, folder, None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> "RedisServer":
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.folder)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_until(lambda: _port_open("127.0.0.1", self.port), timeout=10, interval=0.05)
        return self

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait(10)


@pytest.fixture
def sinks(tmp_path):
    smtp, sms = SmtpSink(tmp_path).start(), SmsSink().start()
    yield smtp, sms
    smtp.stop()
    sms.stop()


@pytest.fixture
def redis_server(tmp_path):
    import shutil

    require(shutil.which("redis-server") is not None, "redis-server")
    # Ports 6390-6399 are ours; each xdist process searches its own share of them.
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    first = 6390 + int(worker[2:] or 0) % 5
    port = next(p for p in range(first, 6400, 5) if not _port_open("127.0.0.1", p))
    server = RedisServer(port, tmp_path).start()
    yield server
    if server.proc.poll() is None:
        server.kill()


@pytest.fixture
def outbox(redis_server, sinks, settings, tmp_path):
    """This process and its workers on our Redis and sinks; yields a worker factory."""
    from config.celery import app

    smtp, sms = sinks
    gateway = {
        "SMS_BACKEND": "notices.sms.HttpApiBackend",
        "SMS_API_URL": sms.url,
        "SMS_API_STATUS_URL": sms.status_url,
        "SMS_TIMEOUT_SECONDS": "1",
    }
    for name, value in gateway.items():
        setattr(settings, name, float(value) if name == "SMS_TIMEOUT_SECONDS" else value)
    env = {
        **gateway,
        "EMAIL_URL": smtp.url,
        "NOTICES_TASK_TIME_LIMIT": "3",
        "NOTICES_LEASE_SECONDS": "4",
        "LETTERS_STALE_AFTER_SECONDS": "4",
    }
    old = (app.conf.broker_url, app.conf.task_always_eager, app.conf.broker_transport_options)
    app.conf.broker_url = redis_server.url
    app.conf.task_always_eager = False
    app.conf.broker_transport_options = {}
    _reset_broker_pools(app)
    workers = []

    def worker(**extra) -> WorkerProcess:
        log = tmp_path / f"worker{len(workers)}.log"
        w = WorkerProcess(redis_server.url, log, **{**env, **extra})
        w.app = "tests.faults.crashes"
        workers.append(w)
        return w.start()

    yield worker
    for w in workers:
        w.stop()
    app.conf.broker_url, app.conf.task_always_eager, app.conf.broker_transport_options = old
    _reset_broker_pools(app)

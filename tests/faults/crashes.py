"""A Celery app module for the fault tests: the project's app, plus a real crash on demand.

``celery -A tests.faults.crashes worker`` with ``FAULT_KILL`` set to ``<point>:<n>`` SIGKILLs
the worker process itself the n-th time it reaches the point, as a crash would:

- ``publish:<n>`` — after a commit, before publishing a delivery's wake-up
  (``notices.wakeup.wake`` of ``notices.tasks.deliver`` or of a chunk, ``deliver_many``);
- ``sms:<n>`` / ``email:<n>`` — with a delivery claimed and marked handed over, before the
  request leaves.

Nothing in the application knows about it: the module only wraps functions at import.
"""

import os
import signal

import django

from config.celery import app  # noqa: F401  (the app celery -A looks for)

django.setup()

from notices import services, wakeup  # noqa: E402  (needs the apps loaded)

point, _, nth = os.environ.get("FAULT_KILL", "").partition(":")
seen = {"n": 0}


def _maybe_die(here: str) -> None:
    if here != point:
        return
    seen["n"] += 1
    if seen["n"] == int(nth):
        os.kill(os.getpid(), signal.SIGKILL)


if point == "publish":
    _wake = wakeup.wake

    def wake(task, *args):
        if task.name in ("notices.tasks.deliver", "notices.tasks.deliver_many"):
            _maybe_die("publish")
        return _wake(task, *args)

    wakeup.wake = wake

if point in ("sms", "email"):
    _send = {"sms": services._send_sms, "email": services._send_email}

    def _wrap(channel):
        def send(delivery, notification, address, **kwargs):
            _maybe_die(channel)
            return _send[channel](delivery, notification, address, **kwargs)

        return send

    services._send_sms = _wrap("sms")
    services._send_email = _wrap("email")

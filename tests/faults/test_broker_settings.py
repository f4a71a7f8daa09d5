"""Redelivery in minutes, not an hour: the broker's visibility timeout and acks match the
tasks' time limits (config/settings.py)."""

import json
import os
import subprocess
import sys

from django.conf import settings

from config.celery import app


def test_every_time_limited_task_ends_well_before_redis_hands_its_message_to_another_worker():
    from letters import tasks as letters
    from notices import tasks as notices
    from public import tasks as public

    tasks = [notices.deliver, notices.sweep_outbox, letters.fan_out_batch]
    tasks.append(letters.compose_and_send_letter)
    tasks += [public.render_signboards, public.sweep_signboard_prints]
    assert all(t.time_limit for t in tasks)
    assert max(t.time_limit for t in tasks) < settings.CELERY_VISIBILITY_TIMEOUT


def test_a_claim_on_a_delivery_outlives_the_longest_send():
    assert settings.NOTICES_LEASE_SECONDS > settings.NOTICES_TASK_TIME_LIMIT


def test_acks_are_late_and_a_lost_worker_process_puts_its_task_back():
    assert app.conf.task_acks_late
    assert app.conf.task_reject_on_worker_lost
    assert app.conf.worker_prefetch_multiplier == 1


def test_on_redis_the_visibility_timeout_is_minutes_not_kombus_hour():
    code = (
        "import django, json; django.setup(); from config.celery import app; "
        "print(json.dumps(app.conf.broker_transport_options))"
    )
    env = {**os.environ, "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0", "TESTING": "true"}
    env.pop("CELERY_VISIBILITY_TIMEOUT", None)
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert json.loads(out.strip().splitlines()[-1]) == {"visibility_timeout": 300}

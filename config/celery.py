"""The Celery app. Tasks live in each app's ``tasks.py``; the schedule lives in settings."""

import gc
import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("hezhang")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.task_prerun.connect
@signals.task_postrun.connect
def _close_old_connections(**kwargs) -> None:
    """Between tasks, what Django does between requests: close a connection that is broken or
    older than ``CONN_MAX_AGE``, keep the others. Celery's own fixup would close every
    connection after every task (``CELERY_DB_REUSE_MAX`` in settings turns that off), and a new
    PostgreSQL connection per task was a fork, a login and a cold catalogue cache each time:
    1,400 of them for a batch of 60,000 letters."""
    if kwargs.get("task") is not None and getattr(kwargs["task"].request, "is_eager", False):
        return
    from django.db import close_old_connections

    close_old_connections()


@signals.worker_process_init.connect  # a prefork pool's child, after the fork
@signals.worker_ready.connect  # the worker itself (a solo pool runs the tasks in it)
def _freeze_startup_objects(**kwargs) -> None:
    """Leave the objects of start-up (Django, the apps, their modules: ~170,000) out of every
    later garbage collection. A chunk of letters allocates enough to trigger hundreds of
    collections, each of which walked them all again: a quarter of a worker's CPU."""
    gc.collect()
    gc.freeze()

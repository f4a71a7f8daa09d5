"""Celery queue routing: letters, deliveries and imports each on their own queue when asked."""

import importlib

import pytest

from config import settings as settings_module


@pytest.fixture
def separate_queues(monkeypatch):
    monkeypatch.setenv("CELERY_SEPARATE_QUEUES", "true")
    yield importlib.reload(settings_module)
    monkeypatch.delenv("CELERY_SEPARATE_QUEUES")
    importlib.reload(settings_module)


def _queue(routes: dict, task: str) -> str:
    from celery.app.routes import prepare

    for route in prepare(routes):  # Celery's own matching of the patterns, first match wins
        found = route(task, (), {}, {})
        if found:
            return found["queue"]
    return "celery"


@pytest.mark.parametrize(
    ("task", "queue"),
    [
        ("letters.tasks.compose_and_send_letter", "letters"),
        ("letters.tasks.fan_out_batch", "letters"),
        ("notices.tasks.deliver", "deliveries"),
        ("monitoring.tasks.run_import", "imports"),
        ("directives.tasks.send_deadline_alerts", "celery"),
    ],
)
def test_each_kind_of_work_goes_to_its_own_queue(separate_queues, task, queue):
    assert _queue(separate_queues.CELERY_TASK_ROUTES, task) == queue


def test_by_default_every_task_goes_to_the_one_default_queue():
    assert settings_module.CELERY_TASK_ROUTES == {}

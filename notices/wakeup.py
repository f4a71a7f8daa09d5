"""Publishing a task is only a wake-up: the rows in the database are the truth.

A publish that fails (broker down, restarted, unreachable) must never undo or fail the work
that was committed; the beat sweepers (``notices.tasks.sweep_outbox``,
``letters.tasks.resume_stalled_letters``) find the rows no task picked up and send them.
"""

import logging

from django.db import transaction

logger = logging.getLogger(__name__)


def wake(task, *args) -> bool:
    """Publish ``task(*args)``; on a broker failure log it and return False instead of raising.

    In eager mode (tests) the task runs here and its own errors propagate as usual.
    """
    if task.app.conf.task_always_eager:
        task.apply_async(args=args)
        return True
    try:
        task.apply_async(
            args=args,
            retry=True,
            retry_policy={"max_retries": 1, "interval_start": 0, "interval_step": 0.5},
        )
    except Exception as exc:
        logger.warning("could not publish %s%s (the sweeper will): %r", task.name, args, exc)
        return False
    return True


def wake_on_commit(task, *args) -> None:
    """:func:`wake` once the current transaction commits (at once outside a transaction)."""
    transaction.on_commit(lambda: wake(task, *args))


def broker_reachable(timeout: float = 3.0) -> bool:
    """Whether the broker answers now (for a command that must tell the operator)."""
    from config.celery import app

    if app.conf.task_always_eager:
        return True
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=timeout)
    except Exception:
        return False
    return True

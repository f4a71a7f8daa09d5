from celery import shared_task
from django.conf import settings

from notices import services
from notices.wakeup import wake


@shared_task(
    soft_time_limit=settings.NOTICES_TASK_TIME_LIMIT - 10,
    time_limit=settings.NOTICES_TASK_TIME_LIMIT,
)
def deliver(delivery_id: int) -> str:
    return services.deliver(delivery_id=delivery_id)


@shared_task(
    soft_time_limit=settings.NOTICES_TASK_TIME_LIMIT - 10,
    time_limit=settings.NOTICES_TASK_TIME_LIMIT,
)
def deliver_many(delivery_ids: list[int]) -> str:
    """A chunk of deliveries (notices.services.notify_many): claimed together, handed over in
    groups, sent one by one."""
    counts = services.deliver_many(delivery_ids=delivery_ids)
    return ", ".join(f"{kind} {n}" for kind, n in sorted(counts.items()))


@shared_task(time_limit=settings.CELERY_VISIBILITY_TIMEOUT - 60)
def sweep_outbox(grace_seconds: int | None = None) -> str:
    """Beat, every minute: resolve dead claims and wake up every due delivery no task took."""
    from datetime import timedelta

    grace = None if grace_seconds is None else timedelta(seconds=grace_seconds)
    result = services.sweep_outbox(grace=grace)
    woken = 0
    for pk in result["due"]:
        if not wake(deliver, pk):
            break  # the broker is gone again: the next sweep goes on
        woken += 1
    return (
        f"released {result['released']}, unknown {result['unknown']}, "
        f"resolved {result['resolved']}, woke {woken}/{len(result['due'])}"
    )


@shared_task
def retry_due_deliveries() -> str:
    """Kept for a beat schedule written before ``sweep_outbox``: the same sweep."""
    return sweep_outbox()

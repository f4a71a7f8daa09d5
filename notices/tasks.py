from celery import shared_task

from notices import services


@shared_task
def deliver(delivery_id: int) -> str:
    return services.deliver(delivery_id=delivery_id)


@shared_task
def retry_due_deliveries() -> int:
    """Re-queue deliveries whose channel failed and whose backoff has passed."""
    ids = services.due_delivery_ids()
    for pk in ids:
        deliver.delay(pk)
    return len(ids)

from celery import shared_task

from directives import services


@shared_task
def send_deadline_alerts() -> dict[str, int]:
    """Beat: create the deadline alerts due now (once per order, stage and recipient)."""
    return services.send_deadline_alerts()

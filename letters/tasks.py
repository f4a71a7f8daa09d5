"""Thin Celery entry points for the monthly letters; the rules live in letters.services."""

from datetime import datetime

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from core.models import Region
from letters import services
from letters.models import first_of_month
from notices.wakeup import wake
from rivers.models import Chief


@shared_task
def queue_monthly_letters(month: str | None = None) -> str:
    """Beat, on the 1st: each town with chiefs gets this month's batch, queued for sending."""
    month = month or f"{first_of_month(timezone.localdate()):%Y-%m}"
    codes = {code[:9] for code in Chief.objects.active().values_list("region__code", flat=True)}
    towns = Region.objects.filter(kind=Region.Kind.TOWN, code__in=codes).order_by("code")
    queued = [b for town in towns if (b := services.queue_batch(town=town, month=month))]
    return f"{month}: {len(queued)} batches queued"


@shared_task(time_limit=settings.CELERY_VISIBILITY_TIMEOUT - 60)
def fan_out_batch(batch_id: int, after_id: int = 0) -> str:
    """Queue one chunk of letters, then the next chunk as a new task."""
    next_after = services.fan_out(batch_id=batch_id, after_id=after_id)
    if next_after is not None:
        wake(fan_out_batch, batch_id, next_after)
    return f"batch {batch_id}: queued after {after_id}"


@shared_task(time_limit=settings.CELERY_VISIBILITY_TIMEOUT - 60)
def send_letter_chunk(letter_ids: list[int]) -> str:
    """A chunk of letters of one batch, composed and put in the inbox together; their e-mails
    and SMS go out as tasks of their own. A letter failing alone is left PENDING with its
    attempt counted, and the resume job (beat, every minute) queues it again after a backoff."""
    result = services.send_letters(letter_ids=letter_ids)
    return f"sent {result['sent']}, failed {result['failed']}, skipped {result['skipped']}"


@shared_task(time_limit=settings.NOTICES_TASK_TIME_LIMIT)
def compose_and_send_letter(letter_id: int, stale_claim: str | None = None) -> str:
    """One letter. A failure leaves it PENDING with its attempt counted; the resume job
    (beat, every minute) queues it again after a backoff, up to MAX_ATTEMPTS."""
    claim = datetime.fromisoformat(stale_claim) if stale_claim else None
    return services.compose_and_send_letter(letter_id=letter_id, stale_claim=claim)


@shared_task
def resume_stalled_letters() -> int:
    """Beat: re-queue letters a crashed worker left behind (see services.requeue_stalled)."""
    return services.requeue_stalled()

"""Beat jobs of the overview: thin callers of the assessment service."""

from celery import shared_task
from django.utils import timezone

from overview.services.assessment import compute_month_for_all_towns


@shared_task
def compute_last_month() -> str:
    """Every town's scorecards of the month that just ended (safe to run again)."""
    today = timezone.localdate()
    month = (today.replace(day=1) - today.resolution).replace(day=1)
    done = compute_month_for_all_towns(month=month)
    return f"{month:%Y-%m}: {sum(d['scorecards'] for d in done)} scorecards in {len(done)} towns"

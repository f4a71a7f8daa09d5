from datetime import date

from celery import shared_task

from patrols import services
from patrols.periods import start_of_day


@shared_task
def recompute_flags(since: str) -> int:
    """Recompute authenticity flags of patrols started since ``since`` ("2018-01-01")."""
    return services.recompute_flags(since=start_of_day(date.fromisoformat(since)))

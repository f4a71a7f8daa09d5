"""Thin Celery entry points for the public's part; the rules live in public.prints."""

from celery import shared_task
from django.conf import settings

from notices.wakeup import wake
from public import prints


@shared_task(time_limit=settings.CELERY_VISIBILITY_TIMEOUT - 60)
def render_signboards(print_id: int, part: int = 0) -> str:
    """One chunk of a signboard print, then the next chunk as a new task (or the join)."""
    step = prints.render_part(print_id=print_id, part=part)
    if step.next_part is not None:
        wake(render_signboards, print_id, step.next_part)
    return step.summary


@shared_task(time_limit=settings.CELERY_VISIBILITY_TIMEOUT - 60)
def sweep_signboard_prints() -> dict[str, int]:
    """Beat: prints whose worker died fail (the office may ask again), lost wake-ups rerun,
    old files expire, stray chunks go."""
    return prints.sweep_prints()

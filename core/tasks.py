from celery import shared_task

from core import page_map


@shared_task
def prune_list_changes() -> int:
    """Beat: empty the page maps' change notes (every older map is walked again once)."""
    return page_map.prune_changes()

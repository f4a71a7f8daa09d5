from celery import shared_task

from core import memory
from monitoring import services


@shared_task
def check_import(job_id: int) -> str:
    """Check a lab file and build its preview (claims the job: a redelivery does nothing)."""
    try:
        return services.check_import(job_id=job_id)
    finally:
        memory.release()  # the worker goes back to its idle size


@shared_task
def run_import(job_id: int) -> str:
    """Import a confirmed lab file all or nothing (claims the job: never imported twice)."""
    try:
        return services.run_import(job_id=job_id)
    finally:
        memory.release()


@shared_task
def sweep_imports() -> dict[str, int]:
    """Beat: jobs whose rows were committed are finished, stopped jobs say so, no file leaks."""
    from monitoring import import_jobs

    return import_jobs.sweep_imports()


@shared_task
def refresh_river_status(rivers_by_period: dict[str, list[int]]) -> str:
    """After samples commit: store again the statuses they changed ({"2018-03": [river ids]}).
    Idempotent: a status already stored is not computed again."""
    from monitoring import status_store

    return f"{status_store.refresh(rivers_by_period=rivers_by_period)} computed"


@shared_task
def warm_river_status(period: str = "") -> str:
    """Beat, nightly: store the recent months of every monitored river, one task a month (each
    short, so a redelivery repeats little); idempotent: what is stored is not computed again."""
    from monitoring import status_store

    if not period:
        keys = status_store.recent_months()
        for key in keys:
            warm_river_status.delay(key)
        return f"{len(keys)} months queued"
    return f"{status_store.warm(period=period)} computed"


@shared_task
def restamp_samples(river_ids: list[int] | None = None, point_ids: list[int] | None = None) -> str:
    """After a river's target or water type changed, or a point moved to another river: stamp
    its samples again. Idempotent: a sample stamped under the rules in force is left alone."""
    from monitoring import stamps

    return f"{stamps.restamp(river_ids=river_ids, point_ids=point_ids)} stamped"

"""Lab-import jobs tell the truth: what the page says is what the database holds.

- A job whose samples were committed is DONE (the samples and the state commit together in
  ``services.run_import``; a job left behind by an older run, or whose commit answer was lost
  with the database, is set DONE here from the samples it owns).
- A step that died half-way (a worker killed, the database gone) saved nothing, and the job
  says so: FAILED, "interrupted, nothing saved"; a step whose message was lost before it
  started (QUEUED, CONFIRMED) is woken up again (its claim makes that harmless).
- The intermediate file (the parsed rows kept between check and import) never outlives its
  use: removed when the job ends, and swept for jobs that ended or waited too long.

Called by the beat sweeper (``monitoring.tasks.sweep_imports``) and by the job's page on the
next look.
"""

import logging
from datetime import datetime, timedelta
from pathlib import Path

from django.db import DatabaseError
from django.utils import timezone
from django.utils.translation import gettext as _

from monitoring import parsed_rows
from monitoring.models import ImportJob, Sample
from notices.wakeup import wake

logger = logging.getLogger(__name__)

J = ImportJob.Status
FINAL = (J.DONE, J.INVALID, J.FAILED)
# A READY job's parsed rows are kept this long for the import; after that it re-reads the file.
PARSED_KEEP = timedelta(days=1)


def _message(text: str) -> list[dict]:
    return [{"row": "-", "field": "-", "message": text}]


def reconcile_import(*, job_id: int, failed: bool = False, now: datetime | None = None) -> str:
    """Set the job's state from the database; returns the state it says now.

    ``failed``: the import step itself raised (called from ``run_import``). A job that stopped
    moving for ``ImportJob.STALLED_AFTER`` is treated the same way.
    """
    now = now or timezone.now()
    try:
        job = ImportJob.objects.get(pk=job_id)
        stalled = job.is_running and now - job.updated_at > ImportJob.STALLED_AFTER
        if not (failed or stalled or job.status == J.FAILED):
            return job.status
        saved = Sample.objects.filter(import_job_id=job_id).count()
        row = ImportJob.objects.filter(pk=job_id, status=job.status)
        if saved:
            row.update(
                status=J.DONE,
                created_count=saved,
                errors=[],
                error_count=0,
                finished_at=job.finished_at or now,
                updated_at=now,
            )
            return J.DONE
        if job.status in (J.QUEUED, J.CONFIRMED) and not failed:
            # The step never started (its message was lost): wake it up again.
            from monitoring.tasks import check_import, run_import

            row.update(updated_at=now)
            wake(check_import if job.status == J.QUEUED else run_import, job_id)
            return job.status
        if job.status == J.FAILED:
            return J.FAILED
        text = (
            _("导入时出错，数据库中没有这次导入的任何水样，请重新上传文件")
            if failed
            else _("处理被中断，数据库中没有这次导入的任何水样，请重新上传文件")
        )
        row.update(
            status=J.FAILED,
            errors=_message(text),
            error_count=1,
            finished_at=now,
            updated_at=now,
        )
        return J.FAILED
    except DatabaseError:
        logger.warning("import %s: the database cannot be asked now; the sweeper will", job_id)
        return J.IMPORTING


def _parsed_file(job: ImportJob) -> Path | None:
    return parsed_rows.path_for(job)


def sweep_imports(*, now: datetime | None = None) -> dict[str, int]:
    """Beat: reconcile jobs that stopped moving, and remove intermediate files left over."""
    now = now or timezone.now()
    counts = {"reconciled": 0, "files_removed": 0}
    running = ImportJob.objects.filter(
        status__in=[J.QUEUED, J.CHECKING, J.CONFIRMED, J.IMPORTING],
        updated_at__lt=now - ImportJob.STALLED_AFTER,
    )
    for job_id, status in list(running.values_list("pk", "status")):
        if reconcile_import(job_id=job_id, now=now) != status:
            counts["reconciled"] += 1
    # Parsed rows of finished jobs, and of previews nobody confirmed within PARSED_KEEP.
    folder = parsed_rows.folder()
    if not folder.is_dir():
        return counts
    wanted = {
        str(path)
        for job in ImportJob.objects.exclude(status__in=FINAL).exclude(
            status=J.READY, updated_at__lt=now - PARSED_KEEP
        )
        if (path := _parsed_file(job)) is not None
    }
    for path in folder.glob(f"*{parsed_rows.SUFFIX}*"):
        if str(path) in wanted:
            continue
        if path.name.endswith(".part") and now.timestamp() - path.stat().st_mtime < 3600:
            continue  # perhaps being written right now
        path.unlink(missing_ok=True)
        counts["files_removed"] += 1
    return counts

"""Services of the signboard prints: the office asks, a worker renders, the page follows.

A whole town's signboards are thousands of A4 pages, minutes of WeasyPrint: far too long for a
request, and too long for one task too (every task ends well inside the broker's visibility
timeout, config/settings.py). So the worker renders ``CHUNK`` rivers per task, in river-code
order, keeps each chunk's PDF in private storage, and the task that finds no river left joins
the chunks (pypdf) into the print's file.

The row's state is the truth and guards every step:

- :func:`request_signboard_print` creates at most one running print per scope (a unique
  constraint; a second click gets the running one) and wakes the first chunk after commit;
- the first chunk *claims* the row (QUEUED → RENDERING, one conditional UPDATE), every next
  chunk moves ``parts_done`` from the number it was given, so a redelivered or duplicated task
  changes nothing and renders nothing twice into the file;
- a print that stopped moving for ``SignboardPrint.STALLED_AFTER`` is failed by the sweeper (or
  by the next look at it, or the next request of its scope), so the office can ask again;
- the sweeper also expires files older than ``SignboardPrint.KEEP_FOR`` and removes chunks
  that no running print holds (a worker killed between saving a chunk and recording it).
"""

import logging
import tempfile
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import Region, User
from core.scoping import EVERYWHERE, require_office, require_region_in_scope, scope_code
from notices.wakeup import wake, wake_on_commit
from public.models import SignboardPrint
from public.selectors import print_rivers

logger = logging.getLogger(__name__)

P = SignboardPrint.Status
# Rivers per task: about 15-30 s of WeasyPrint on this project's 2-core machine, far inside a
# task's time limit, and a progress step the office sees move.
CHUNK = 40
PARTS_FOLDER = "public/signboards/parts/"


def _task():
    from public.tasks import render_signboards

    return render_signboards


def request_signboard_print(*, by: User, village: Region | None = None) -> SignboardPrint:
    """Queue the signboards of the office's region (or of one of its villages) as one PDF.

    Returns the print already running for the same scope instead of a second one.
    """
    require_office(by)
    code = scope_code(by)
    region = None if code == EVERYWHERE else by.region
    if code is None or (code != EVERYWHERE and region is None):
        raise ValidationError({"village": [_("您的账号没有所属辖区，无法打印公示牌")]})
    if village is not None:
        if village.kind != Region.Kind.VILLAGE:
            raise ValidationError({"village": [_("请选择一个村/居委")]})
        require_region_in_scope(by, village)
    if not print_rivers(region=region, village=village).exists():
        raise ValidationError({"village": [_("没有可打印的河道")]})
    now = timezone.now()
    scope = SignboardPrint.objects.running().filter(region=region, village=village)
    for stalled in scope.filter(updated_at__lt=now - SignboardPrint.STALLED_AFTER):
        fail_stalled(print_id=stalled.pk, now=now)
    with transaction.atomic():
        running = scope.first()
        if running is not None:
            return running
        try:
            with transaction.atomic():
                job = SignboardPrint.objects.create(region=region, village=village, requested_by=by)
        except IntegrityError:
            # Another request of the same scope got there first: follow that one.
            return scope.get()
        wake_on_commit(_task(), job.pk, 0)
    return job


@dataclass
class Step:
    summary: str
    next_part: int | None = None  # the chunk to render next, None when finished or skipped


def render_part(*, print_id: int, part: int) -> Step:
    """Render chunk ``part`` of the print (or join the chunks when none is left).

    Part 0 claims the row (QUEUED → RENDERING); part n runs only while ``parts_done == n``.
    """
    rows = SignboardPrint.objects.filter(pk=print_id)
    if part == 0:
        claimed = rows.filter(status=P.QUEUED).update(status=P.RENDERING, updated_at=timezone.now())
        if claimed != 1:
            return Step(f"print {print_id}: skipped, not queued")
        job = SignboardPrint.objects.select_related("region", "village").get(pk=print_id)
        rows.update(rivers_total=print_rivers(region=job.region, village=job.village).count())
    job = SignboardPrint.objects.select_related("region", "village").get(pk=print_id)
    if job.status != P.RENDERING or job.parts_done != part:
        return Step(f"print {print_id}: skipped part {part} (at {job.parts_done}, {job.status})")
    try:
        return _render_or_join(job, part)
    except Exception:
        logger.exception("signboard print %s failed at part %s", print_id, part)
        _fail(job, _("生成 PDF 时出错，请重新生成；如仍失败请联系管理员"))
        return Step(f"print {print_id}: failed at part {part}")


def _render_or_join(job: SignboardPrint, part: int) -> Step:
    from public.pdf import signboards_pdf

    rivers = list(
        print_rivers(region=job.region, village=job.village).filter(code__gt=job.last_code)[:CHUNK]
    )
    if not rivers and not job.parts:
        # Every river went away (or was made inactive) between the request and the worker.
        _fail(job, _("没有可打印的河道"))
        return Step(f"print {job.pk}: no river to print")
    if not rivers:
        _join(job)
        return Step(f"print {job.pk}: done, {job.rivers_done} rivers in {job.parts_done} parts")
    name = default_storage.save(
        f"{PARTS_FOLDER}{job.pk}.pdf", ContentFile(signboards_pdf(rivers=rivers))
    )
    moved = SignboardPrint.objects.filter(pk=job.pk, status=P.RENDERING, parts_done=part).update(
        parts_done=part + 1,
        parts=[*job.parts, name],
        last_code=rivers[-1].code,
        rivers_done=F("rivers_done") + len(rivers),
        # The river count can change while the print runs; the bar never passes the end.
        rivers_total=max(job.rivers_total, job.rivers_done + len(rivers)),
        updated_at=timezone.now(),
    )
    if moved != 1:
        # A duplicate of this task got there first: its chunk is the one kept.
        default_storage.delete(name)
        return Step(f"print {job.pk}: part {part} was done by another run")
    return Step(f"print {job.pk}: part {part}, {len(rivers)} rivers", next_part=part + 1)


def _join(job: SignboardPrint) -> None:
    """Join the chunks into the print's file; the print is DONE with its file, or untouched."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    with tempfile.TemporaryFile() as out:
        for name in job.parts:
            with default_storage.open(name, "rb") as part:
                writer.append(part)
        writer.write(out)
        writer.close()
        out.seek(0)
        name = default_storage.save("public/signboards/print.pdf", File(out))
    done = SignboardPrint.objects.filter(pk=job.pk, status=P.RENDERING).update(
        status=P.DONE, file=name, finished_at=timezone.now(), updated_at=timezone.now()
    )
    if done != 1:
        default_storage.delete(name)
        return
    _remove_parts(job.parts)


def _remove_parts(names: list[str]) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:
            logger.warning("could not remove the signboard part %s", name)


def _fail(job: SignboardPrint, message: str, *, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    failed = SignboardPrint.objects.filter(pk=job.pk, status=job.status).update(
        status=P.FAILED, error=message, finished_at=now, updated_at=now
    )
    if failed == 1:
        _remove_parts(SignboardPrint.objects.get(pk=job.pk).parts)
    return failed == 1


def fail_stalled(*, print_id: int, now: datetime | None = None) -> bool:
    """A running print that stopped moving (its worker died) fails, so the office may ask again.

    A print still QUEUED whose message was lost is woken up instead (its claim makes that
    harmless). Returns whether the print failed now.
    """
    now = now or timezone.now()
    job = SignboardPrint.objects.get(pk=print_id)
    if not job.is_stalled(now):
        return False
    if job.status == P.QUEUED:
        if SignboardPrint.objects.filter(pk=job.pk, status=P.QUEUED).update(updated_at=now):
            wake(_task(), job.pk, 0)
        return False
    return _fail(job, _("生成被中断（超过10分钟没有进展），请重新生成"), now=now)


def sweep_prints(*, now: datetime | None = None) -> dict[str, int]:
    """Beat: stalled prints fail (or, still queued, are woken again); files past
    ``SignboardPrint.KEEP_FOR`` expire; chunks no running print holds are removed."""
    now = now or timezone.now()
    stalled = SignboardPrint.objects.running().filter(
        updated_at__lt=now - SignboardPrint.STALLED_AFTER
    )
    failed = sum(fail_stalled(print_id=pk, now=now) for pk in stalled.values_list("pk", flat=True))
    expired = 0
    old = SignboardPrint.objects.filter(
        status=P.DONE, finished_at__lt=now - SignboardPrint.KEEP_FOR
    )
    for pk, name in old.values_list("pk", "file"):
        if SignboardPrint.objects.filter(pk=pk, status=P.DONE).update(
            status=P.EXPIRED, file="", updated_at=now
        ):
            _remove_parts([name])
            expired += 1
    return {"failed": failed, "expired": expired, "parts_removed": _sweep_parts(now)}


def _sweep_parts(now: datetime) -> int:
    """Chunks a dead worker saved but never recorded (or a failed removal left behind)."""
    try:
        names = default_storage.listdir(PARTS_FOLDER)[1]
    except FileNotFoundError:
        return 0
    held = {
        name
        for parts in SignboardPrint.objects.running().values_list("parts", flat=True)
        for name in parts
    }
    removed = 0
    for base in names:
        name = f"{PARTS_FOLDER}{base}"
        if name in held:
            continue
        # A chunk is saved a moment before its print records it: leave young files alone.
        if now - default_storage.get_modified_time(name) < SignboardPrint.STALLED_AFTER:
            continue
        _remove_parts([name])
        removed += 1
    return removed

"""Writes: recording samples (API, lab files) all or nothing, and the lab-file import steps."""

from __future__ import annotations

import logging
import math
import os
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from core.models import User
from core.scoping import scope_code
from monitoring import parsed_rows, standards, status_store
from monitoring.labfile import FileError, SampleRow, read_file
from monitoring.models import ImportJob, MonitoringPoint, Sample

logger = logging.getLogger(__name__)

MAX_ERRORS_KEPT = 200
PROGRESS_EVERY = 2000
CHUNK = 2000
NON_NEGATIVE_UNITS = {standards.MG_L, "个/L", "cm"}


def can_record_samples(user: User) -> bool:
    """Office staff of a town, district systems (write tokens) and administrators."""
    return bool(
        user
        and user.is_authenticated
        and (user.is_superuser or user.role in (User.Role.OFFICE, User.Role.DISTRICT_CLIENT))
    )


def require_recorder(user: User) -> None:
    if not can_record_samples(user):
        raise PermissionDenied(_("只有河长办工作人员或区级系统可以报送水样"))


@dataclass
class CheckResult:
    ready: list[tuple[SampleRow, MonitoringPoint]] = field(default_factory=list)
    existing: list[SampleRow] = field(default_factory=list)  # same client key already recorded
    errors: list[dict] = field(default_factory=list)  # the first MAX_ERRORS_KEPT
    error_count: int = 0
    rows: int = 0
    # A client key recorded before with different data: {"row", "client_key", "fields"}.
    conflicts: list[dict] = field(default_factory=list)

    def add(self, row: SampleRow, field_name: str, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS_KEPT:
            self.errors.append({"row": row.row, "field": field_name, "message": message})


def _value_problems(row: SampleRow, now: datetime) -> Iterator[tuple[str, str]]:
    """Checks on one row alone (no database)."""
    if not row.point:
        yield "point", _("缺少点位编码")
    if row.sampled_at is not None and row.sampled_at > now:
        yield "sampled_at", _("采样时间晚于当前时间")
    if not row.values and not row.problems:
        yield "values", _("没有任何监测值")
    for code, value in row.values.items():
        param = standards.PARAMETERS[code]
        if not math.isfinite(value):
            yield code, _("%(name)s不是有效数值") % {"name": param.name}
            continue
        if param.unit in NON_NEGATIVE_UNITS and value < 0:
            yield code, _("%(name)s不能为负数") % {"name": param.name}
    ph = row.values.get("ph")
    if ph is not None and math.isfinite(ph) and not 0 <= ph <= 14:
        yield "ph", _("pH 应在 0–14 之间")
    do = row.values.get("do")
    if do is not None and math.isfinite(do):
        # Supersaturation (even past twice saturation) is real and only flagged for review
        # (standards.review_flags); this refuses what no water can hold.
        bound = standards.do_impossible_bound()
        if standards.exact(do) > bound:
            yield (
                "do",
                _("溶解氧 %(v)s mg/L 超过水体可能的最大值（%(b).1f mg/L），请检查单位或录入")
                % {"v": f"{do:g}", "b": bound},
            )
    for name in ("sampling_depth_m", "water_depth_cm"):
        value = getattr(row, name)
        if value is not None and value < 0:
            yield name, _("深度不能为负数")


def check_rows(
    *,
    rows: Iterable[SampleRow],
    user: User,
    now: datetime | None = None,
    labels: dict[str, str] | None = None,
) -> CheckResult:
    """Every check a batch of samples must pass before anything is saved.

    Row checks (values, pH 0–14, DO no water can hold, future time), then the points
    (must exist and be in the user's scope), duplicates inside the batch, client keys already
    recorded (the same sample again: skipped, which makes posting idempotent; the key with
    different data: an error, listed in ``conflicts`` with the fields that differ) and samples
    already recorded at that point and time (an error).
    A handful of queries whatever the number of rows. ``labels`` maps field names to the
    column headers of a file, so messages name the column the lab wrote.
    """
    now = now or timezone.now()
    labels = labels or {}
    result = CheckResult()
    tz = timezone.get_current_timezone()
    batch: list[SampleRow] = []
    for row in rows:
        result.rows += 1
        if row.sampled_at is not None and timezone.is_naive(row.sampled_at):
            row.sampled_at = row.sampled_at.replace(tzinfo=tz)
        for field_name, message in row.problems:
            result.add(row, field_name, message)
        for field_name, message in _value_problems(row, now):
            result.add(row, labels.get(field_name, field_name), message)
        batch.append(row)
    if not batch:
        result.add(SampleRow(row="-"), "-", _("没有任何数据行"))
        return result

    codes = {row.point for row in batch if row.point}
    points = {}
    for chunk in _chunks(sorted(codes)):
        points.update(
            {p.code: p for p in MonitoringPoint.objects.visible_to(user).filter(code__in=chunk)}
        )
    # Times before keys: a sample another request commits between the two reads then shows
    # under its key (the same sample again), never as a time clash without its key.
    times = [row.sampled_at for row in batch if row.sampled_at is not None]
    recorded_times = set()
    if points and times:
        recorded_times = set(
            Sample.objects.filter(
                point_id__in=[p.id for p in points.values()],
                sampled_at__gte=min(times),
                sampled_at__lte=max(times),
            ).values_list("point_id", "sampled_at")
        )

    keys = sorted({row.client_key for row in batch if row.client_key})
    recorded_keys: dict[str, Sample] = {}
    for chunk in _chunks(keys):
        recorded_keys.update(
            {sample.client_key: sample for sample in Sample.objects.filter(client_key__in=chunk)}
        )
    seen_times: dict[tuple, int | str] = {}
    seen_keys: dict[str, int | str] = {}
    for row in batch:
        point = points.get(row.point)
        bad = bool(row.problems)
        if row.point and point is None:
            result.add(
                row,
                labels.get("point", "point"),
                _("点位“%(code)s”不存在或不在您的管辖范围内") % {"code": row.point},
            )
            bad = True
        if row.client_key:
            if row.client_key in seen_keys:
                result.add(
                    row,
                    labels.get("client_key", "client_key"),
                    _("样品编号与第 %(n)s 行重复") % {"n": seen_keys[row.client_key]},
                )
                continue
            seen_keys[row.client_key] = row.row
            if row.client_key in recorded_keys:
                differ = differing_fields(row, point, recorded_keys[row.client_key])
                if not differ:
                    result.existing.append(row)  # the same sample again: nothing to do
                    continue
                result.conflicts.append(
                    {"row": row.row, "client_key": row.client_key, "fields": differ}
                )
                result.add(
                    row,
                    labels.get("client_key", "client_key"),
                    _("样品编号“%(key)s”已有记录，但这些数据不同：%(fields)s")
                    % {
                        "key": row.client_key,
                        "fields": "、".join(labels.get(f, _field_name(f)) for f in differ),
                    },
                )
                continue
        if point is None or row.sampled_at is None:
            continue
        pair = (point.id, row.sampled_at)
        if pair in seen_times:
            result.add(
                row,
                labels.get("sampled_at", "sampled_at"),
                _("与第 %(n)s 行是同一点位同一时间的水样") % {"n": seen_times[pair]},
            )
            continue
        seen_times[pair] = row.row
        if pair in recorded_times:
            result.add(
                row,
                labels.get("sampled_at", "sampled_at"),
                _("点位“%(code)s”在该时间已有水样") % {"code": point.code},
            )
            continue
        if not bad:
            result.ready.append((row, point))
    if result.error_count:
        result.ready = []
    return result


COMPARED_FIELDS = ("point", "sampled_at", "sampler", "lab", "sampling_depth_m", "water_depth_cm")


def differing_fields(row: SampleRow, point: MonitoringPoint | None, sample: Sample) -> list[str]:
    """The fields in which ``row`` differs from the ``sample`` recorded under its client key.

    Numbers are compared as written (``standards.exact``), so "<0.01" sent twice, or 0.82
    read from a file and from JSON, are the same value.
    """
    differ = []
    if point is None or point.id != sample.point_id:
        differ.append("point")
    if row.sampled_at != sample.sampled_at:
        differ.append("sampled_at")
    if (row.sampler or "")[:50] != sample.sampler:
        differ.append("sampler")
    if (row.lab or "")[:100] != sample.lab:
        differ.append("lab")
    for name in ("sampling_depth_m", "water_depth_cm"):
        if _differ(getattr(row, name), getattr(sample, name)):
            differ.append(name)
    for code in standards.PARAMETERS:
        if _differ(row.values.get(code), getattr(sample, code)):
            differ.append(code)
    return differ


def _differ(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return (a is None) != (b is None)
    if not (math.isfinite(a) and math.isfinite(b)):
        return a != b
    return standards.exact(a) != standards.exact(b)


def _field_name(name: str) -> str:
    if name in standards.PARAMETERS:
        return standards.PARAMETERS[name].label
    return str(Sample._meta.get_field(name).verbose_name)


class ClientKeyConflict(Exception):
    """Samples sent again under a recorded client key with different data (HTTP 409).

    ``errors`` is keyed as the 400 answer is (``samples[<index>].client_key``); ``conflicts``
    lists, per sample, the fields that differ.
    """

    def __init__(self, errors: dict[str, list[str]], conflicts: list[dict]):
        super().__init__("; ".join(m for ms in errors.values() for m in ms))
        self.errors = errors
        self.conflicts = conflicts


def _chunks(items: list, size: int = CHUNK) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _sample(row: SampleRow, point: MonitoringPoint, by: User, source: str, job, now) -> Sample:
    return Sample(
        point=point,
        sampled_at=row.sampled_at,
        sampler=row.sampler[:50],
        lab=row.lab[:100],
        sampling_depth_m=row.sampling_depth_m,
        water_depth_cm=row.water_depth_cm,
        client_key=row.client_key or None,
        source=source,
        import_job=job,
        created_by=by,
        created_at=now,
        **row.values,
    )


@dataclass
class Recorded:
    created: list[Sample]
    existing: int
    # Samples saved but worth a second look (standards.review_flags): {"index", "flags"}.
    flagged: list[dict] = field(default_factory=list)


class ConcurrentDuplicate(ValidationError):
    """Another request stored one of these samples between our check and our insert."""


def _save(result: CheckResult, *, by: User, source: str, job=None) -> list[Sample]:
    now = timezone.now()
    objs = [_sample(row, point, by, source, job, now) for row, point in result.ready]
    if not objs:
        return []
    try:
        with transaction.atomic():
            created = bulk_create_with_history(
                objs,
                Sample,
                batch_size=CHUNK,
                default_user=by,
                default_change_reason=source,
            )
            # bulk_create sends no signals: the stored river statuses these samples change
            # go here (and are computed again once the samples commit).
            status_store.samples_changed(river_days=status_store.sample_days(objs))
            return created
    except IntegrityError as exc:
        # Another request recorded one of these samples between the check and the insert.
        raise ConcurrentDuplicate(
            {"non_field_errors": [_("有水样与同时提交的数据重复，未保存任何数据，请重试")]}
        ) from exc


def record_samples(*, rows: list[SampleRow], by: User, source: str = Sample.Source.API) -> Recorded:
    """Record a batch of samples all or nothing; idempotent by each sample's client key.

    Raises ValidationError keyed ``samples[<index>].<field>`` listing every problem, and then
    saves nothing. A sample whose client key was recorded before with the same data is
    skipped and counted in ``existing``, so a retried request creates nothing twice — also
    when the same samples are posted concurrently: the request that loses the race on the
    unique client keys checks again, finds them recorded, and answers as if alone. The same
    key with different data raises ClientKeyConflict naming the fields (nothing is saved).
    """
    require_recorder(by)
    try:
        return _record_samples(rows=rows, by=by, source=source)
    except ConcurrentDuplicate:
        return _record_samples(rows=rows, by=by, source=source)


def _record_samples(*, rows: list[SampleRow], by: User, source: str) -> Recorded:
    result = check_rows(rows=rows, user=by)
    if result.error_count:
        errors: dict[str, list[str]] = {}
        for e in result.errors:
            errors.setdefault(f"samples[{e['row']}].{e['field']}", []).append(e["message"])
        if result.error_count > len(result.errors):
            errors["non_field_errors"] = [
                _("共 %(n)d 处错误，仅列出前 %(k)d 处")
                % {"n": result.error_count, "k": len(result.errors)}
            ]
        if result.error_count == len(result.conflicts):
            # Nothing wrong but changed data under known keys: a conflict, not bad input.
            raise ClientKeyConflict(errors, result.conflicts)
        raise ValidationError(errors)
    created = _save(result, by=by, source=source)
    flagged = [
        {"index": row.row, "flags": flags}
        for row, _point in result.ready
        if (flags := standards.review_flags(row.values))
    ]
    return Recorded(created, len(result.existing), flagged)


# --- lab-file import ------------------------------------------------------------------------------


def start_import(*, upload, by: User) -> ImportJob:
    """Keep the uploaded file and queue its check; the page then shows the progress."""
    require_recorder(by)
    name = os.path.basename(upload.name or "")
    if not name.lower().endswith((".csv", ".xlsx")):
        raise ValidationError({"file": [_("只支持 .csv 和 .xlsx 文件")]})
    cap = settings.IMPORT_MAX_FILE_MB
    if upload.size > cap * 1024 * 1024:
        raise ValidationError({"file": [_("文件不能超过 %(n)s MB") % {"n": cap}]})
    job = ImportJob.objects.create(file=upload, original_name=name[:200], created_by=by)
    from monitoring.tasks import check_import

    check_import.delay_on_commit(job.id)
    return job


def _claim(job_id: int, from_status: str, to_status: str) -> bool:
    """One conditional UPDATE: only the run that moves the row on does the step."""
    return ImportJob.objects.filter(pk=job_id, status=from_status).update(status=to_status) == 1


def _progress(job_id: int, rows: Iterable[SampleRow], seen: list) -> Iterator[SampleRow]:
    n = 0
    for row in rows:
        n += 1
        seen.append(row)
        if n % PROGRESS_EVERY == 0:
            ImportJob.objects.filter(pk=job_id).update(processed_rows=n, updated_at=timezone.now())
        yield row
    ImportJob.objects.filter(pk=job_id).update(processed_rows=n, updated_at=timezone.now())


def _check_file(job: ImportJob, *, reuse_parsed: bool = False) -> tuple[CheckResult | None, list]:
    """Parse (or reuse the rows parsed by the check) and run every check, with progress.

    Parsing a 100,000-row spreadsheet is most of the work, so the check keeps the parsed rows
    in a private folder (monitoring.parsed_rows) and the import reuses them; the checks
    that depend on the database run again either way.
    """
    cached = parsed_rows.path_for(job)
    if reuse_parsed and cached.exists():
        columns, rows = parsed_rows.read(job)
        total = len(rows)
    else:
        try:
            total, columns, rows = read_file(job.file.path, job.original_name)
        except FileError as exc:
            job.errors = [{"row": 1, "field": "-", "message": m} for m in exc.messages]
            job.error_count = len(exc.messages)
            return None, []
    job.columns = [c.as_json() for c in columns]
    ImportJob.objects.filter(pk=job.pk).update(total_rows=total, columns=job.columns)
    labels = {c.field: c.header for c in columns}
    seen: list[SampleRow] = []
    try:
        result = check_rows(
            rows=_progress(job.pk, rows, seen),
            user=job.created_by,
            now=job.created_at,
            labels=labels,
        )
    except FileError as exc:  # the row cap, or a file broken past its header
        job.errors = [{"row": "-", "field": "-", "message": m} for m in exc.messages]
        job.error_count = len(exc.messages)
        return None, columns
    if not reuse_parsed and not result.error_count:
        # JSON lines in a private folder, written aside and renamed: a worker killed
        # mid-write leaves no half file to reuse (monitoring.import_jobs sweeps leftovers).
        parsed_rows.write(job, columns, seen)
    job.total_rows = result.rows
    job.processed_rows = result.rows
    job.errors = result.errors
    job.error_count = result.error_count
    return result, columns


def _preview(result: CheckResult, columns) -> dict:
    """What the user confirms: new and known samples, points, dates, the first rows, flags.

    ``rows_in_file`` is the number of data rows actually read (whatever an .xlsx's stored
    dimension said). Dates cover the new samples; with none (a file imported before) they are
    None and the page says so instead of printing "None".
    """
    counts = Counter(point.code for _row, point in result.ready)
    names = {point.code: str(point.name) for _row, point in result.ready}
    times = [row.sampled_at for row, _p in result.ready]
    first = []
    for row, point in result.ready[:10]:
        a = standards.classify(
            row.values, water_type=point.river.water_type if point.river else "river"
        )
        first.append(
            {
                "row": row.row,
                "point": point.code,
                "sampled_at": timezone.localtime(row.sampled_at).strftime("%Y-%m-%d %H:%M"),
                "values": {k: round(v, 4) for k, v in row.values.items()},
                "class": a.label,
                "flags": [
                    standards.flag_text(f, row.values) for f in standards.review_flags(row.values)
                ],
            }
        )
    flagged = []
    flagged_count = 0
    for row, point in result.ready:
        flags = standards.review_flags(row.values)
        if not flags:
            continue
        flagged_count += 1
        if len(flagged) < MAX_ERRORS_KEPT:
            flagged.append(
                {
                    "row": row.row,
                    "point": point.code,
                    "messages": [standards.flag_text(f, row.values) for f in flags],
                }
            )
    return {
        "rows_in_file": result.rows,
        "new": len(result.ready),
        "existing": len(result.existing),
        "points": [[code, names[code], n] for code, n in counts.most_common(30)],
        "point_count": len(counts),
        "first": timezone.localtime(min(times)).strftime("%Y-%m-%d") if times else None,
        "last": timezone.localtime(max(times)).strftime("%Y-%m-%d") if times else None,
        "rows": first,
        "value_columns": [c.field for c in columns if c.field in standards.PARAMETERS],
        "flagged": flagged,
        "flagged_count": flagged_count,
        "do_rule": standards.do_rule(),
    }


def check_import(*, job_id: int) -> str:
    """Read and check the whole file, store the preview (or the errors); saves no sample."""
    if not _claim(job_id, ImportJob.Status.QUEUED, ImportJob.Status.CHECKING):
        return "skipped: not queued"
    job = ImportJob.objects.select_related("created_by__region").get(pk=job_id)
    try:
        result, columns = _check_file(job)
    except Exception:
        logger.exception("checking import %s failed", job_id)
        job.errors = [{"row": "-", "field": "-", "message": _("读取文件时出错")}]
        job.error_count = 1
        result = None
    if result is None or result.error_count:
        job.status = ImportJob.Status.INVALID
        job.finished_at = timezone.now()
    else:
        job.preview = _preview(result, columns)
        job.status = ImportJob.Status.READY
    job.updated_at = timezone.now()
    job.save()
    return f"{job.status}: {job.total_rows} rows, {job.error_count} errors"


def confirm_import(*, job: ImportJob, by: User) -> ImportJob:
    """The user has seen the preview: queue the import itself."""
    require_recorder(by)
    if job.created_by_id != by.id and not _same_scope(job, by):
        raise PermissionDenied(_("不能确认他人的导入"))
    if not _claim(job.pk, ImportJob.Status.READY, ImportJob.Status.CONFIRMED):
        raise ValidationError({"status": [_("该导入不在待确认状态")]})
    from monitoring.tasks import run_import

    run_import.delay_on_commit(job.pk)
    job.refresh_from_db()
    return job


def _same_scope(job: ImportJob, user: User) -> bool:
    code = scope_code(user)
    region = job.created_by.region
    return code is not None and (
        code == "" or (region is not None and region.code.startswith(code))
    )


def run_import(*, job_id: int) -> str:
    """Check the file again (data may have changed since the preview), then save every sample
    in one transaction, or none: a problem found now leaves the job INVALID with its messages.
    """
    if not _claim(job_id, ImportJob.Status.CONFIRMED, ImportJob.Status.IMPORTING):
        return "skipped: not confirmed"
    job = ImportJob.objects.select_related("created_by__region").get(pk=job_id)
    ImportJob.objects.filter(pk=job_id).update(processed_rows=0)
    try:
        result, _columns = _check_file(job, reuse_parsed=True)
        if result is None or result.error_count:
            job.status = ImportJob.Status.INVALID
        else:
            # The samples and the job's DONE commit together: a worker killed after the
            # commit leaves a finished job, never saved rows under a running one.
            with transaction.atomic():
                created = _save(result, by=job.created_by, source=Sample.Source.IMPORT, job=job)
                job.created_count = len(created)
                job.status = ImportJob.Status.DONE
                ImportJob.objects.filter(pk=job_id).update(
                    status=job.status, created_count=job.created_count, finished_at=timezone.now()
                )
    except ValidationError as exc:
        job.errors = [{"row": "-", "field": "-", "message": m} for m in exc.messages]
        job.error_count = len(job.errors)
        job.status = ImportJob.Status.FAILED
    except Exception:
        logger.exception("import %s failed", job_id)
        # The error may have come with the commit itself (the database went away): say what
        # the database holds, or leave the job to the sweeper when it cannot be asked.
        from monitoring.import_jobs import reconcile_import

        if reconcile_import(job_id=job_id, failed=True) != ImportJob.Status.FAILED:
            return "reconciled"
        job.refresh_from_db()
        parsed_rows.remove(job)
        return f"{job.status}: nothing saved"
    job.finished_at = timezone.now()
    job.updated_at = timezone.now()
    job.save()
    parsed_rows.remove(job)
    return f"{job.status}: {job.created_count} created"


# --- points -----------------------------------------------------------------------------------------


def can_write_points(user: User) -> bool:
    """Office staff, and district systems (write-scoped tokens, see ScopedPermission)."""
    from core.scoping import can_write_registry

    return can_write_registry(user)


def require_point_writer(user: User) -> None:
    if not can_write_points(user):
        raise PermissionDenied(_("只有河长办工作人员或区级系统可以维护监测点位"))


def save_point(*, point: MonitoringPoint, by: User) -> MonitoringPoint:
    """Create or change a monitoring point (admin, API): office staff and district systems.

    Inside the writer's scope: a changed point must be in their scope before the change, its
    region after it too, and its river (or sluice gate) one they may see. Without a region the
    point takes its river's (or gate's). Same model validation (``full_clean``) on every door.
    """
    from core.scoping import require_region_in_scope
    from rivers.models import River, SluiceGate

    require_point_writer(by)
    if point.pk:
        before = MonitoringPoint.objects.select_related("region").get(pk=point.pk)
        require_region_in_scope(by, before.region)
    if point.sluice_gate_id and not point.river_id:
        point.river_id = point.sluice_gate.river_id
    if not point.region_id:
        if point.river_id:
            point.region_id = point.river.region_id
        elif point.sluice_gate_id:
            point.region_id = point.sluice_gate.region_id
    point.full_clean()
    require_region_in_scope(by, point.region)
    if point.river_id and not River.objects.visible_to(by).filter(pk=point.river_id).exists():
        raise PermissionDenied(_("该河道不在您的管辖范围内"))
    if (
        point.sluice_gate_id
        and not SluiceGate.objects.visible_to(by).filter(pk=point.sluice_gate_id).exists()
    ):
        raise PermissionDenied(_("该水闸不在您的管辖范围内"))
    point.save()
    return point

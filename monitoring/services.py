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
from monitoring import parsed_rows, sample_writer, standards, status_store
from monitoring.labfile import FileError, SampleRow, read_file
from monitoring.models import ImportJob, MonitoringPoint, Sample

logger = logging.getLogger(__name__)

MAX_ERRORS_KEPT = 200
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
    existing: int = 0  # rows whose client key is already recorded with the same data
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
    """Every check a batch of samples must pass before anything is saved (``RowChecker``).

    All the rows are checked as one chunk and the result lists the rows ready to save (none
    when there is any error). A handful of queries whatever the number of rows.
    """
    checker = RowChecker(user=user, now=now, labels=labels)
    result = checker.result
    result.ready = checker.check(list(rows))
    checker.finish()
    if result.error_count:
        result.ready = []
    return result


class RowChecker:
    """The checks of a batch of samples, fed chunk by chunk (a lab file) or at once (the API).

    Row checks (values, pH 0–14, DO no water can hold, future time), then the points
    (must exist and be in the user's scope), duplicates inside the batch, client keys already
    recorded (the same sample again: skipped, which makes posting idempotent; the key with
    different data: an error, listed in ``conflicts`` with the fields that differ) and samples
    already recorded at that point and time (an error).

    Three queries per chunk at most (the points not met before, the recorded times, the
    recorded keys), whatever the chunk's size and the number of chunks before it. Across
    chunks only what the duplicate checks need is kept (each key and point/time once, with
    its line), never the rows. ``labels`` maps field names to the column headers of a file,
    so messages name the column the lab wrote.
    """

    def __init__(
        self, *, user: User, now: datetime | None = None, labels: dict[str, str] | None = None
    ):
        self.user = user
        self.now = now or timezone.now()
        self.labels = labels or {}
        self.result = CheckResult()
        self._tz = timezone.get_current_timezone()
        self._points: dict[str, MonitoringPoint | None] = {}
        self._seen_keys: dict[str, int | str] = {}
        self._seen_times: dict[tuple[int, datetime], int | str] = {}

    def check(self, batch: list[SampleRow]) -> list[tuple[SampleRow, MonitoringPoint]]:
        """Check one chunk; its rows that may be saved, with their points.

        Rows are returned even after an error elsewhere: the caller decides (nothing is
        saved unless ``result.error_count`` is 0 at the end).
        """
        result, labels, now, tz = self.result, self.labels, self.now, self._tz
        for row in batch:
            result.rows += 1
            if row.sampled_at is not None and timezone.is_naive(row.sampled_at):
                row.sampled_at = row.sampled_at.replace(tzinfo=tz)
            for field_name, message in row.problems:
                result.add(row, field_name, message)
            for field_name, message in _value_problems(row, now):
                result.add(row, labels.get(field_name, field_name), message)
        if not batch:
            return []
        points = self._load_points({row.point for row in batch if row.point})
        # Times before keys: a sample another request commits between the two reads then shows
        # under its key (the same sample again), never as a time clash without its key.
        recorded_times = self._recorded_times(batch, points)
        keys = sorted({row.client_key for row in batch if row.client_key})
        recorded_keys: dict[str, Sample] = {}
        for chunk in _chunks(keys):
            recorded_keys.update(
                {
                    sample.client_key: sample
                    for sample in Sample.objects.filter(client_key__in=chunk)
                }
            )
        seen_times, seen_keys = self._seen_times, self._seen_keys
        ready = []
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
                        result.existing += 1  # the same sample again: nothing to do
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
                ready.append((row, point))
        return ready

    def finish(self) -> CheckResult:
        """After the last chunk: a batch without any row is an error too."""
        if not self.result.rows:
            self.result.add(SampleRow(row="-"), "-", _("没有任何数据行"))
        return self.result

    def _load_points(self, codes: set[str]) -> dict[str, MonitoringPoint | None]:
        """The user's points by code; each code asked once per batch (None: not theirs)."""
        missing = sorted(codes - self._points.keys())
        for chunk in _chunks(missing):
            found = MonitoringPoint.objects.visible_to(self.user).filter(code__in=chunk)
            self._points.update({p.code: p for p in found.select_related("river")})
            self._points.update({code: None for code in chunk if code not in self._points})
        return self._points

    def _recorded_times(self, batch: list[SampleRow], points: dict) -> set:
        ids = {points[row.point].id for row in batch if points.get(row.point) is not None}
        times = [row.sampled_at for row in batch if row.sampled_at is not None]
        if not (ids and times):
            return set()
        return set(
            Sample.objects.filter(
                point_id__in=sorted(ids), sampled_at__gte=min(times), sampled_at__lte=max(times)
            ).values_list("point_id", "sampled_at")
        )


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
    sample = Sample(
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
    return sample.stamp(point.river)  # the point's river is loaded with it (check_rows)


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
    return Recorded(created, result.existing, flagged)


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


def _batches(rows: Iterable[SampleRow]) -> Iterator[list[SampleRow]]:
    """The rows in lists of ``CHUNK``, read lazily: never more than one chunk in memory."""
    size = CHUNK
    batch: list[SampleRow] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _open_rows(job: ImportJob, *, reuse_parsed: bool) -> tuple[list, Iterator[SampleRow]] | None:
    """The file's columns and rows (lazily): the rows the check kept, or the file read again.

    None when the file cannot be read; ``job.errors`` then says why.
    """
    if reuse_parsed and parsed_rows.path_for(job).exists():
        return parsed_rows.read(job)
    try:
        total, columns, rows = read_file(job.file.path, job.original_name)
    except FileError as exc:
        job.errors = [{"row": 1, "field": "-", "message": m} for m in exc.messages]
        job.error_count = len(exc.messages)
        return None
    job.total_rows = total
    return columns, rows


class _Preview:
    """What the user confirms, gathered chunk by chunk: new and known samples, points, dates,
    the first rows, flags.

    ``rows_in_file`` is the number of data rows actually read (whatever an .xlsx's stored
    dimension said). Dates cover the new samples; with none (a file imported before) they are
    None and the page says so instead of printing "None".
    """

    def __init__(self, columns):
        self.columns = columns
        self.counts: Counter[str] = Counter()
        self.names: dict[str, str] = {}
        self.new = 0
        self.first_at = self.last_at = None
        self.rows: list[dict] = []
        self.flagged: list[dict] = []
        self.flagged_count = 0

    def add(self, ready: list[tuple[SampleRow, MonitoringPoint]]) -> None:
        self.new += len(ready)
        for row, point in ready:
            self.counts[point.code] += 1
            if point.code not in self.names:
                self.names[point.code] = str(point.name)
            at = row.sampled_at
            if self.first_at is None or at < self.first_at:
                self.first_at = at
            if self.last_at is None or at > self.last_at:
                self.last_at = at
            flags = standards.review_flags(row.values)
            if len(self.rows) < 10:
                self.rows.append(self._row(row, point, flags))
            if flags:
                self.flagged_count += 1
                if len(self.flagged) < MAX_ERRORS_KEPT:
                    self.flagged.append(
                        {
                            "row": row.row,
                            "point": point.code,
                            "messages": [standards.flag_text(f, row.values) for f in flags],
                        }
                    )

    @staticmethod
    def _row(row: SampleRow, point: MonitoringPoint, flags) -> dict:
        a = standards.classify(
            row.values, water_type=point.river.water_type if point.river else "river"
        )
        return {
            "row": row.row,
            "point": point.code,
            "sampled_at": timezone.localtime(row.sampled_at).strftime("%Y-%m-%d %H:%M"),
            "values": {k: round(v, 4) for k, v in row.values.items()},
            "class": a.label,
            "flags": [standards.flag_text(f, row.values) for f in flags],
        }

    def as_json(self, result: CheckResult) -> dict:
        day = "%Y-%m-%d"
        return {
            "rows_in_file": result.rows,
            "new": self.new,
            "existing": result.existing,
            "points": [[code, self.names[code], n] for code, n in self.counts.most_common(30)],
            "point_count": len(self.counts),
            "first": timezone.localtime(self.first_at).strftime(day) if self.first_at else None,
            "last": timezone.localtime(self.last_at).strftime(day) if self.last_at else None,
            "rows": self.rows,
            "value_columns": [c.field for c in self.columns if c.field in standards.PARAMETERS],
            "flagged": self.flagged,
            "flagged_count": self.flagged_count,
            "do_rule": standards.do_rule(),
        }


def _progress(job_id: int, n: int) -> None:
    ImportJob.objects.filter(pk=job_id).update(processed_rows=n, updated_at=timezone.now())


def _file_problem(job: ImportJob, exc: FileError) -> None:
    """The row cap, or a file broken past its header: found while the rows are read."""
    job.errors = [{"row": "-", "field": "-", "message": m} for m in exc.messages]
    job.error_count = len(exc.messages)


def check_import(*, job_id: int) -> str:
    """Read and check the whole file, store the preview (or the errors); saves no sample.

    The file is read once, chunk by chunk (``CHUNK`` rows in memory at a time, a constant
    number of queries per chunk): each chunk is checked, added to the preview, and appended
    to the parsed rows the import will reuse (monitoring.parsed_rows: JSON lines in a private
    folder, kept only when the whole file passed).
    """
    if not _claim(job_id, ImportJob.Status.QUEUED, ImportJob.Status.CHECKING):
        return "skipped: not queued"
    job = ImportJob.objects.select_related("created_by__region").get(pk=job_id)
    preview = None
    try:
        opened = _open_rows(job, reuse_parsed=False)
        if opened is not None:
            columns, rows = opened
            job.columns = [c.as_json() for c in columns]
            ImportJob.objects.filter(pk=job.pk).update(
                total_rows=job.total_rows, columns=job.columns
            )
            preview = _check_file(job, columns, rows)
    except Exception:
        logger.exception("checking import %s failed", job_id)
        job.errors = [{"row": "-", "field": "-", "message": _("读取文件时出错")}]
        job.error_count = 1
        preview = None
    if preview is None:
        job.status = ImportJob.Status.INVALID
        job.finished_at = timezone.now()
    else:
        job.preview = preview
        job.status = ImportJob.Status.READY
    job.updated_at = timezone.now()
    job.save()
    return f"{job.status}: {job.total_rows} rows, {job.error_count} errors"


def _check_file(job: ImportJob, columns, rows: Iterator[SampleRow]) -> dict | None:
    """Check every chunk, keep the parsed rows and build the preview; None if any error."""
    checker = RowChecker(
        user=job.created_by, now=job.created_at, labels={c.field: c.header for c in columns}
    )
    result = checker.result
    preview = _Preview(columns)
    with parsed_rows.Writer(job, columns) as kept:
        try:
            for batch in _batches(rows):
                ready = checker.check(batch)
                if not result.error_count:
                    preview.add(ready)
                    kept.write(batch)
                _progress(job.pk, result.rows)
        except FileError as exc:
            _file_problem(job, exc)
            return None
        checker.finish()
        job.total_rows = job.processed_rows = result.rows
        job.errors, job.error_count = result.errors, result.error_count
        if result.error_count:
            return None
        # Written aside and renamed: a worker killed mid-write leaves no half file to reuse
        # (monitoring.import_jobs sweeps leftovers).
        kept.keep()
    return preview.as_json(result)


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


class _Invalid(Exception):
    """A check failed during the import: roll back what was inserted."""


@dataclass
class Imported:
    """What one import inserted: the rows, and the rivers and days they touch."""

    created: int = 0
    river_days: dict[int, set] = field(default_factory=dict)

    def add(self, ready: list[tuple[SampleRow, MonitoringPoint]]) -> None:
        for row, point in ready:
            if point.river_id is not None:
                day = timezone.localdate(row.sampled_at)
                self.river_days.setdefault(point.river_id, set()).add(day)


def _import_rows(job: ImportJob, columns, rows: Iterator[SampleRow]) -> Imported:
    """Check again and insert, chunk by chunk, inside the caller's transaction.

    Every chunk is checked against the database as it stands now (samples recorded since the
    preview, points moved out of scope) and inserted at once, so memory holds one chunk.
    After the first problem nothing more is inserted but the checking goes on, so the job
    lists the problems of the whole file; then ``_Invalid`` rolls everything back.
    """
    checker = RowChecker(
        user=job.created_by, now=job.created_at, labels={c.field: c.header for c in columns}
    )
    result = checker.result
    imported = Imported()
    now = timezone.now()
    for batch in _batches(rows):
        ready = checker.check(batch)
        if not result.error_count:
            imported.created += sample_writer.insert_samples(
                ready, by=job.created_by, source=Sample.Source.IMPORT, job=job, now=now
            )
            imported.add(ready)
    checker.finish()
    job.total_rows = job.processed_rows = result.rows
    job.errors, job.error_count = result.errors, result.error_count
    if result.error_count:
        raise _Invalid
    return imported


def run_import(*, job_id: int) -> str:
    """Check the file again (data may have changed since the preview), then save every sample
    in one transaction, or none: a problem found now leaves the job INVALID with its messages.
    """
    if not _claim(job_id, ImportJob.Status.CONFIRMED, ImportJob.Status.IMPORTING):
        return "skipped: not confirmed"
    job = ImportJob.objects.select_related("created_by__region").get(pk=job_id)
    ImportJob.objects.filter(pk=job_id).update(processed_rows=0, updated_at=timezone.now())
    try:
        opened = _open_rows(job, reuse_parsed=True)
        if opened is None:
            job.status = ImportJob.Status.INVALID
        else:
            # The samples and the job's DONE commit together: a worker killed after the
            # commit leaves a finished job, never saved rows under a running one.
            with transaction.atomic():
                imported = _import_rows(job, *opened)
                # The stored river statuses these samples change: deleted with the insert,
                # computed again once it commits (monitoring.status_store).
                status_store.samples_changed(river_days=imported.river_days)
                job.created_count = imported.created
                job.status = ImportJob.Status.DONE
                ImportJob.objects.filter(pk=job_id).update(
                    status=job.status, created_count=job.created_count, finished_at=timezone.now()
                )
    except _Invalid:
        job.status = ImportJob.Status.INVALID
    except FileError as exc:
        _file_problem(job, exc)
        job.status = ImportJob.Status.INVALID
    except IntegrityError:
        # Another request recorded one of these samples between the check and the insert.
        job.errors = [
            {
                "row": "-",
                "field": "-",
                "message": _("有水样与同时提交的数据重复，未保存任何数据，请重试"),
            }
        ]
        job.error_count = 1
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

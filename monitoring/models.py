"""Monitoring points, samples with their measured values, and lab-file import jobs.

A sample keeps one nullable column per parameter, in the canonical unit of
``monitoring.standards.PARAMETERS`` (mg/L, ℃, cm, mV, 个/L): a period's means are then one
``GROUP BY`` with ``Avg`` per column, and an import of 100,000 rows is 100,000 inserts, not a
million. The classes are computed by ``monitoring.standards`` from those values. Each sample
also keeps its own assessment as computed when it was written (``Sample.stamp``), with the
rules it was computed under (``assessed_as``: the DO rule, the river's water type and target):
a list reads it instead of classifying every row, and a row whose rules no longer hold (the
river's target changed, the DO rule setting changed) is computed live until it is stamped again.
"""

from datetime import timedelta
from functools import cache

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import Region, User
from core.scoping import EVERYWHERE, AnyIn, scope_code
from monitoring import standards
from rivers.models import River, SluiceGate


def _scope_parts(code: str) -> list[tuple[str, RawSQL]]:
    """The ways a point falls in the scope ``code``, each a column of the point table and
    the ids it must be in: ``region_id`` in the regions under ``code``; ``river_id`` in the
    rivers owned by one; ``river_id`` in the rivers crossing one (the rivers' own rule,
    ``rivers.models.in_region_q``).

    Each is a plain ``IN (subquery)`` and the callers OR them: under an OR PostgreSQL cannot
    turn them into joins, so each becomes a hashed set built once and probed per row, and
    a later one is built only if an earlier one misses. A district's newest 50 samples
    among 500,000: one set of its points probed 51 times (5 ms) instead of a nested loop
    that compared every sample read with every point (42 ms; EXPLAIN ANALYZE, bench_big).
    The subqueries are written out (``_scope_sql``): nested querysets cost the ORM more to
    put together, on every request, than the database spends running them.
    """
    regions, owned, crossing = _scope_sql()
    prefix = code.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return [
        ("region_id", RawSQL(regions, [prefix])),
        ("river_id", RawSQL(owned, [prefix])),
        ("river_id", RawSQL(crossing, [prefix])),
    ]


@cache
def _scope_sql() -> tuple[str, str, str]:
    """The subqueries of ``_scope_parts``: the ids of the regions under a code prefix (a
    ``LIKE`` pattern), of the rivers owned by one, of the rivers crossing one."""
    region, river = Region._meta.db_table, River._meta.db_table
    through = River.regions.through._meta
    regions = f'SELECT "id" FROM "{region}" WHERE "code" LIKE %s ESCAPE \'\\\''
    return (
        regions,
        f'SELECT "id" FROM "{river}" WHERE "region_id" IN ({regions})',
        f'SELECT "{through.get_field("river").column}" FROM "{through.db_table}" '
        f'WHERE "{through.get_field("region").column}" IN ({regions})',
    )


def river_scope_parts(code: str) -> list[tuple[str, RawSQL]]:
    """The river parts of ``_scope_parts``: a point's ``river_id`` in the rivers owned by,
    or crossing, a region under ``code``."""
    return _scope_parts(code)[1:]


def point_scope_parts(code: str) -> list[tuple[str, RawSQL]]:
    """``_scope_parts``, for a query written out (``selectors.point_ids``): the point's
    column and the ids it must be in, for each way a point falls in the scope ``code``."""
    return _scope_parts(code)


def point_scope_q(code: str, field: str = "") -> Q:
    """Rows whose point (``field``: its foreign key, "" for the point itself) is in the scope
    ``code``: in a region under it, or on a river the scope may see. One expression
    (``core.scoping.AnyIn``) of the three ``IN (subquery)`` parts ORed."""
    if not field:
        return Q(AnyIn(*[(column, ids.sql, ids.params) for column, ids in _scope_parts(code)]))
    table = MonitoringPoint._meta.db_table
    return Q(
        AnyIn(
            *[
                (field, f'SELECT "id" FROM "{table}" WHERE "{column}" IN ({ids.sql})', ids.params)
                for column, ids in _scope_parts(code)
            ]
        )
    )


class PointQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> "PointQuerySet":
        """Points in a region inside the user's scope, or on a river the user may see."""
        code = scope_code(user)
        if code is None:
            return self.none()
        if code == EVERYWHERE:
            return self
        return self.filter(point_scope_q(code))


class MonitoringPoint(models.Model):
    """A monitoring section or sampling point (断面/采样点) on a river or at a sluice gate."""

    class Body(models.TextChoices):
        TOWN_LAB = "town_lab", _("镇水质检测室")
        DISTRICT_STATION = "district_station", _("区环境监测站")
        AUTO_STATION = "auto_station", _("水质自动监测站")

    code = models.CharField(_("点位编码"), max_length=30, unique=True)
    name = models.CharField(_("点位名称"), max_length=100)
    river = models.ForeignKey(
        River,
        verbose_name=_("河道"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="monitoring_points",
    )
    sluice_gate = models.ForeignKey(
        SluiceGate,
        verbose_name=_("水闸"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="monitoring_points",
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("所在区划"),
        on_delete=models.PROTECT,
        related_name="monitoring_points",
    )
    position = models.PositiveIntegerField(
        _("沿程顺序"),
        default=1,
        help_text=_("自上游起的顺序，用于“连续3个点位重度黑臭”的判定"),
    )
    latitude = models.DecimalField(
        _("纬度"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("经度"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    responsible = models.CharField(
        _("监测单位"), max_length=20, choices=Body.choices, default=Body.TOWN_LAB
    )
    is_active = models.BooleanField(_("在用"), default=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    history = HistoricalRecords()

    objects = PointQuerySet.as_manager()

    class Meta:
        verbose_name = _("监测点位")
        verbose_name_plural = _("监测点位")
        ordering = ["river_id", "position", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(river__isnull=False) | Q(sluice_gate__isnull=False),
                name="point_on_river_or_gate",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


def _value(code: str) -> models.FloatField:
    param = standards.PARAMETERS[code]
    name = f"{param.name}（{param.unit}）" if param.unit else param.name
    return models.FloatField(name, null=True, blank=True)


class SampleQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> "SampleQuerySet":
        """Samples at the points the user may see (see ``point_scope_q``)."""
        code = scope_code(user)
        if code is None:
            return self.none()
        if code == EVERYWHERE:
            return self
        return self.filter(point_scope_q(code, "point"))

    def between(self, start, end) -> "SampleQuerySet":
        """Samples taken at or after ``start`` and before ``end`` (aware datetimes)."""
        return self.filter(sampled_at__gte=start, sampled_at__lt=end)


class Sample(models.Model):
    """One water sample at a point, with the values measured (canonical units, see above)."""

    class Source(models.TextChoices):
        IMPORT = "import", _("化验单导入")
        API = "api", _("接口报送")
        MANUAL = "manual", _("手工录入")

    point = models.ForeignKey(
        MonitoringPoint,
        verbose_name=_("监测点位"),
        on_delete=models.PROTECT,
        related_name="samples",
    )
    sampled_at = models.DateTimeField(_("采样时间"))
    sampler = models.CharField(_("采样人"), max_length=50, blank=True)
    lab = models.CharField(_("检测单位"), max_length=100, blank=True)
    sampling_depth_m = models.FloatField(
        _("采样深度（m）"), null=True, blank=True, validators=[MinValueValidator(0)]
    )
    water_depth_cm = models.FloatField(
        _("水深（cm）"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("浅水（不足25cm）时用于透明度的判定"),
    )
    client_key = models.CharField(
        _("样品编号"),
        max_length=64,
        null=True,
        blank=True,
        unique=True,
        help_text=_("报送方给出的唯一编号：重复报送同一编号不会重复入库"),
    )
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices)
    import_job = models.ForeignKey(
        "ImportJob",
        verbose_name=_("导入批次"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="samples",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("录入时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    # GB 3838-2002 table 1 (basic items) and the black-odour indicators.
    ph = _value("ph")
    do = _value("do")
    codmn = _value("codmn")
    cod = _value("cod")
    bod5 = _value("bod5")
    nh3n = _value("nh3n")
    tp = _value("tp")
    tn = _value("tn")
    cu = _value("cu")
    zn = _value("zn")
    f = _value("f")
    se = _value("se")
    arsenic = _value("arsenic")
    hg = _value("hg")
    cd = _value("cd")
    cr6 = _value("cr6")
    pb = _value("pb")
    cn = _value("cn")
    phenol = _value("phenol")
    oil = _value("oil")
    las = _value("las")
    s2 = _value("s2")
    fecal_coliform = _value("fecal_coliform")
    temp = _value("temp")
    transparency = _value("transparency")
    orp = _value("orp")

    # The sample's own assessment, stored when it is written (``stamp``) and read by the lists;
    # ``assessed_as`` names the rules it was computed under (``assessment_basis``). Not part of
    # the record: left out of the history, and computed live whenever the rules differ.
    water_class = models.PositiveSmallIntegerField(_("水质类别"), null=True, blank=True)
    black_odour = models.PositiveSmallIntegerField(_("黑臭程度"), null=True, blank=True)
    assessment_detail = models.JSONField(_("评价明细"), null=True, blank=True)
    assessed_as = models.CharField(_("评价依据"), max_length=40, blank=True, default="")

    history = HistoricalRecords(
        excluded_fields=["water_class", "black_odour", "assessment_detail", "assessed_as"]
    )
    objects = SampleQuerySet.as_manager()

    class Meta:
        verbose_name = _("水样")
        verbose_name_plural = _("水样")
        ordering = ["-sampled_at", "point_id"]
        constraints = [
            # One sample per point and time: a second one is a duplicate entry.
            models.UniqueConstraint(
                fields=["point", "sampled_at"], name="sample_point_time_unique"
            ),
            models.CheckConstraint(
                condition=Q(ph__isnull=True) | (Q(ph__gte=0) & Q(ph__lte=14)),
                name="sample_ph_0_14",
            ),
            *[
                models.CheckConstraint(
                    condition=Q(**{f"{code}__isnull": True}) | Q(**{f"{code}__gte": 0}),
                    name=f"sample_{code}_not_negative",
                )
                for code in standards.PARAMETERS
                if standards.PARAMETERS[code].unit in (standards.MG_L, "个/L", "cm")
            ],
        ]
        indexes = [
            models.Index(fields=["point", "sampled_at"], name="sample_point_time"),
            # The API lists newest first across points: read by index, not sorted.
            models.Index(fields=["-sampled_at", "id"], name="sample_newest_first"),
            models.Index(fields=["updated_at", "id"], name="sample_updated"),
        ]

    def __str__(self) -> str:
        return f"{self.point.name} {timezone.localtime(self.sampled_at):%Y-%m-%d %H:%M}"

    def values(self) -> dict[str, float]:
        """The measured values by parameter code (unmeasured items left out)."""
        return {
            code: getattr(self, code)
            for code in standards.PARAMETERS
            if getattr(self, code) is not None
        }

    def assessment(self, *, water_type: str = "river", target_class: int | None = None):
        return standards.classify(self.values(), water_type=water_type, target_class=target_class)

    def odour(self) -> standards.Odour | None:
        return standards.sample_odour(self.values(), water_depth_cm=self.water_depth_cm)

    def review_flags(self) -> list[tuple[str, str]]:
        """(code, message) of each value accepted but worth a second look (supersaturated DO)."""
        values = self.values()
        return [(f, standards.flag_text(f, values)) for f in standards.review_flags(values)]

    def stamp(self, river: River | None) -> "Sample":
        """Store the assessment of the sample's values on ``river`` (its point's river), as
        every write path does before the sample goes in. Pure: no query."""
        water_type, target = river_rules(river)
        for name, value in stamp_of(
            self.values(),
            water_depth_cm=self.water_depth_cm,
            water_type=water_type,
            target_class=target,
        ).items():
            setattr(self, name, value)
        self._stamped = self.fingerprint()
        return self

    def fingerprint(self) -> tuple:
        """What the stamp was computed from on the sample's side (``signals`` compares it on
        save: a stamp left behind by a change of values is dropped, never read)."""
        return (self.water_depth_cm, *(getattr(self, code) for code in VALUE_FIELDS))


VALUE_FIELDS = list(standards.PARAMETERS)
STAMP_FIELDS = ("water_class", "black_odour", "assessment_detail", "assessed_as")

# Bump when what ``stamp_of`` computes changes (monitoring.standards' classes, odour levels,
# review flags): stamps of an older version are then computed live until stamped again
# (``manage.py restamp_samples``).
ASSESSMENT_VERSION = 1


def river_rules(river: River | None) -> tuple[str, int | None]:
    """(water type, target class) a sample is assessed under: its river's (a point at a sluice
    gate without a river: a river's limits, no target)."""
    if river is None:
        return River.WaterType.RIVER.value, None
    return river.water_type, river.target_class


def assessment_basis(water_type: str, target_class: int | None) -> str:
    """The rules a stored assessment holds under: version, DO Class I rule, water type and
    target. A stamp is read only when this equals its ``assessed_as``."""
    target = "-" if target_class is None else target_class
    return f"{ASSESSMENT_VERSION}/{standards.do_rule()}/{water_type}/{target}"


def _item(item: standards.ItemResult) -> list:
    return [item.code, item.value, item.water_class, item.multiple, item.shortfall]


def stamp_of(
    values: dict, *, water_depth_cm: float | None, water_type: str, target_class: int | None
) -> dict:
    """The stored assessment columns of a sample with these values (``STAMP_FIELDS``).

    The detail keeps codes and numbers only (names and messages are translated when read),
    under short keys (it is stored on every sample): "d" the deciding items and "e" the
    exceedances, each ``[code, value, class, multiple, shortfall]``, "f" the review flags'
    codes when there are any. The items assessed follow from the values
    (``standards.assessed_codes``).
    """
    a = standards.classify(values, water_type=water_type, target_class=target_class)
    odour = standards.sample_odour(values, water_depth_cm=water_depth_cm)
    detail = {"d": [_item(i) for i in a.deciding], "e": [_item(i) for i in a.exceedances]}
    flags = standards.review_flags(values)
    if flags:
        detail["f"] = flags
    return {
        "water_class": a.water_class,
        "black_odour": None if odour is None else int(odour),
        "assessment_detail": detail,
        "assessed_as": assessment_basis(water_type, target_class),
    }


class ImportJob(models.Model):
    """A lab spreadsheet on its way in: checked (preview), then imported all or nothing.

    The status guards each step: a task claims the row with a conditional UPDATE
    (QUEUED → CHECKING, CONFIRMED → IMPORTING) so a redelivered task never runs a step twice.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("等待检查")
        CHECKING = "checking", _("检查中")
        READY = "ready", _("待确认")
        INVALID = "invalid", _("有错误")
        CONFIRMED = "confirmed", _("等待导入")
        IMPORTING = "importing", _("导入中")
        DONE = "done", _("已导入")
        FAILED = "failed", _("导入失败")

    file = models.FileField(_("文件"), upload_to="monitoring/imports/%Y/%m/")
    original_name = models.CharField(_("文件名"), max_length=200)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        on_delete=models.PROTECT,
        related_name="monitoring_imports",
    )
    created_at = models.DateTimeField(_("上传时间"), default=timezone.now)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    # Moved on by every claim and progress step: a running job that stops moving was orphaned
    # by a worker that died (nothing of it was saved: the import is one transaction).
    updated_at = models.DateTimeField(_("最近进展"), default=timezone.now)
    total_rows = models.PositiveIntegerField(_("总行数"), default=0)
    processed_rows = models.PositiveIntegerField(_("已处理行数"), default=0)
    created_count = models.PositiveIntegerField(_("新增水样"), default=0)
    columns = models.JSONField(_("识别的列"), default=list, blank=True)
    preview = models.JSONField(_("预览"), default=dict, blank=True)
    errors = models.JSONField(_("错误"), default=list, blank=True)
    error_count = models.PositiveIntegerField(_("错误数"), default=0)

    class Meta:
        verbose_name = _("化验单导入")
        verbose_name_plural = _("化验单导入")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def percent(self) -> int:
        if self.status in (self.Status.READY, self.Status.DONE):
            return 100
        if not self.total_rows:
            return 0
        return min(100, round(100 * self.processed_rows / self.total_rows))

    STALLED_AFTER = timedelta(minutes=10)

    @property
    def is_stalled(self) -> bool:
        return self.is_running and timezone.now() - self.updated_at > self.STALLED_AFTER

    @property
    def is_running(self) -> bool:
        return self.status in (
            self.Status.QUEUED,
            self.Status.CHECKING,
            self.Status.CONFIRMED,
            self.Status.IMPORTING,
        )


class RiverPeriodStatus(models.Model):
    """A river's status over a month, quarter or year, as ``selectors.river_status`` computed it.

    A stored copy, not a record: rows are computed on first read or when samples arrive
    (``monitoring.status_store``) and deleted whenever a sample, a point or the river's target
    or water type changes in a way that could change them, so a read never finds a stale row.
    The monthly letters' snapshots ("as at", one town's points) are computed live and never
    stored. ``basis`` names the rules a row was computed under: a row of other rules is not read.
    """

    river = models.ForeignKey(River, on_delete=models.CASCADE, related_name="+")
    period_start = models.DateField()
    period_end = models.DateField()
    # The trend compares with the previous period: a sample in it changes this row too.
    previous_start = models.DateField()
    basis = models.CharField(max_length=40)
    water_class = models.PositiveSmallIntegerField(null=True)
    target_class = models.PositiveSmallIntegerField()
    meets_target = models.BooleanField(null=True)
    black_odour = models.PositiveSmallIntegerField(null=True)
    previous_class = models.PositiveSmallIntegerField(null=True)
    trend = models.CharField(max_length=6, null=True)
    quality = models.PositiveSmallIntegerField(null=True)
    method = models.CharField(max_length=6, null=True)
    point_count = models.PositiveIntegerField(default=0)
    sample_count = models.PositiveIntegerField(default=0)
    # deciding items, exceedances, means (in their order), odour detail: RiverStatus.to_dict
    detail = models.JSONField(default=dict)
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("河道水质（按期间）")
        verbose_name_plural = _("河道水质（按期间）")
        constraints = [
            # Also the index of every read: one period, a set of rivers.
            models.UniqueConstraint(
                fields=["period_start", "period_end", "river"], name="river_period_status_unique"
            ),
        ]
        indexes = [
            # Invalidation: a river's rows around a date.
            models.Index(fields=["river", "period_end"], name="river_period_status_river"),
        ]

    def __str__(self) -> str:
        return f"{self.river_id} {self.period_start}~{self.period_end}"

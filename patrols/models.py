"""Patrols (巡河): who walked which river when, along which track, and what they found.

A patrol belongs to a chief (whose duty it counts for) even when an assistant walked it on the
chief's behalf (``walker_name``). Patrols, findings and photos carry a client-made UUID so that
a phone retrying an upload after a dropped connection creates nothing twice.
"""

import uuid
from datetime import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from core.choices import ChiefLevel
from core.models import Region, User
from core.scoping import EVERYWHERE, scope_code, under_code_q


def _scoped(qs: models.QuerySet, user: User, field: str) -> models.QuerySet:
    code = scope_code(user)
    if code is None:
        return qs.none()
    if code == EVERYWHERE:
        return qs
    if len(code) == Region._meta.get_field("code").max_length:
        # A village's code is as long as a code can be: the only region under it is the
        # user's own. Said as an equality, the planner walks the (region, started_at) index
        # for a page, where the list of ids under a prefix (an array it cannot see into)
        # had it scan the district's patrols by date: 6,000 rows for a chief's newest 30.
        return qs.filter(**{f"{field}_id": user.region_id})
    return qs.filter(under_code_q(field, code))


class PatrolQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> "PatrolQuerySet":
        """Patrols of chiefs whose region lies inside the user's scope.

        Village chiefs see only their own patrols (those they made or recorded): the office and
        town chiefs see their town's, district systems their district's.
        """
        qs = _scoped(self, user, "region")
        if self._own_only(user):
            qs = qs.filter(Q(chief__user=user) | Q(recorded_by=user))
        return qs

    @staticmethod
    def _own_only(user: User) -> bool:
        return user.is_authenticated and user.is_village_chief and not user.is_superuser

    def visibility_key(self, user: User) -> str:
        """What ``visible_to(user)`` depends on besides the scope's code: the user, when
        they see only their own patrols; nothing else (every office user of a town sees the
        same patrols). For remembering a list's count (``patrols.selectors.counts``)."""
        return f"own-{user.pk}" if self._own_only(user) else "all"

    def counting(self, *, at: datetime | None = None) -> "PatrolQuerySet":
        """Finished patrols the office has not rejected: these count towards duty.

        With ``at``, as the records stood at that moment (a monthly letter's snapshot): a
        patrol entered or finished after it does not count yet; one rejected after it still
        counts. The state then is the patrol's latest history entry before ``at`` (the current
        row when the history starts later, as for rows loaded with their dates).
        """
        if at is None:
            return self.filter(status=Patrol.Status.FINISHED).exclude(review=Patrol.Review.REJECTED)
        then = Patrol.history.model.objects.filter(id=OuterRef("pk"), history_date__lt=at).order_by(
            "-history_date", "-history_id"
        )
        return (
            self.filter(created_at__lt=at, ended_at__lt=at)
            .annotate(
                status_then=Coalesce(Subquery(then.values("status")[:1]), F("status")),
                review_then=Coalesce(Subquery(then.values("review")[:1]), F("review")),
            )
            .filter(status_then=Patrol.Status.FINISHED)
            .exclude(review_then=Patrol.Review.REJECTED)
        )


class Patrol(models.Model):
    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", _("巡河中")
        FINISHED = "finished", _("已完成")

    class Source(models.TextChoices):
        LIVE = "live", _("手机实时记录")
        MANUAL = "manual", _("事后补录")
        GPX = "gpx", _("GPX 轨迹上传")

    class Review(models.TextChoices):
        NONE = "none", _("未审核")
        ACCEPTED = "accepted", _("已认可")
        REJECTED = "rejected", _("不予认可")

    client_id = models.UUIDField(_("客户端编号"), default=uuid.uuid4, unique=True)
    chief = models.ForeignKey(
        "rivers.Chief", verbose_name=_("河长"), on_delete=models.PROTECT, related_name="patrols"
    )
    # The chief's region when the patrol was made: what scoping filters on.
    region = models.ForeignKey(
        Region, verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="patrols"
    )
    level = models.CharField(_("河长级别"), max_length=10, choices=ChiefLevel.choices)
    river = models.ForeignKey(
        "rivers.River", verbose_name=_("河道"), on_delete=models.PROTECT, related_name="patrols"
    )
    reach = models.ForeignKey(
        "rivers.Reach",
        verbose_name=_("河段"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="patrols",
    )
    walker_name = models.CharField(
        _("实际巡河人"),
        max_length=50,
        blank=True,
        help_text=_("由他人代为巡河时填写（如河长助理）；空表示河长本人"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        on_delete=models.PROTECT,
        related_name="recorded_patrols",
    )
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices, default=Source.LIVE)
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.IN_PROGRESS
    )
    started_at = models.DateTimeField(_("开始时间"), db_index=True)
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    distance_m = models.PositiveIntegerField(_("里程（米）"), default=0)
    point_count = models.PositiveIntegerField(_("轨迹点数"), default=0)
    flags = models.JSONField(_("真实性提示"), default=list, blank=True)
    note = models.TextField(_("巡河情况"), blank=True)
    review = models.CharField(_("审核"), max_length=10, choices=Review.choices, default=Review.NONE)
    review_note = models.CharField(_("审核意见"), max_length=200, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reviewed_patrols",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["point_count", "updated_at"])

    objects = PatrolQuerySet.as_manager()

    class Meta:
        verbose_name = _("巡河记录")
        verbose_name_plural = _("巡河记录")
        ordering = ["-started_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gt=models.F("started_at")),
                name="patrol_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(status="in_progress") | Q(ended_at__isnull=False),
                name="patrol_finished_has_end",
            ),
        ]
        indexes = [
            models.Index(fields=["chief", "started_at"]),
            models.Index(fields=["river", "started_at"]),
            models.Index(fields=["updated_at", "id"], name="patrol_updated"),
            # A town's list, newest first: a deep page ranks the town's patrols from this
            # index alone (page 300 otherwise walked the whole district's patrols by date).
            models.Index(fields=["region", "started_at", "id"], name="patrol_region_started"),
        ]

    def __str__(self) -> str:
        return f"{self.river} {self.started_at:%Y-%m-%d}"

    @property
    def duration_minutes(self) -> int | None:
        return self.minutes_between(self.started_at, self.ended_at)

    @staticmethod
    def minutes_between(started_at: datetime, ended_at: datetime | None) -> int | None:
        """Whole minutes walked (an API list computes it from a row's two columns)."""
        if ended_at is None:
            return None
        return int((ended_at - started_at).total_seconds() // 60)

    @property
    def distance_km(self) -> float:
        return round(self.distance_m / 1000, 2)

    @property
    def is_flagged(self) -> bool:
        return bool(self.flags)

    @property
    def counts(self) -> bool:
        return self.counts_with(self.status, self.review)

    @classmethod
    def counts_with(cls, status: str, review: str) -> bool:
        """A flagged patrol still counts until the office rejects it."""
        return status == cls.Status.FINISHED and review != cls.Review.REJECTED


class TrackPoint(models.Model):
    """One GPS fix (WGS84, as the phone's Geolocation API gives it)."""

    patrol = models.ForeignKey(Patrol, on_delete=models.CASCADE, related_name="points")
    recorded_at = models.DateTimeField(_("时间"))
    latitude = models.FloatField(_("纬度"))
    longitude = models.FloatField(_("经度"))
    accuracy_m = models.FloatField(_("精度（米）"), null=True, blank=True)

    class Meta:
        verbose_name = _("轨迹点")
        verbose_name_plural = _("轨迹点")
        ordering = ["patrol", "recorded_at"]
        constraints = [
            # A retried upload of the same buffered points adds nothing.
            models.UniqueConstraint(fields=["patrol", "recorded_at"], name="one_point_per_instant")
        ]

    def __str__(self) -> str:
        return f"{self.latitude:.6f},{self.longitude:.6f}@{self.recorded_at:%H:%M:%S}"


class FindingQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> "FindingQuerySet":
        return _scoped(self, user, "region")

    def open(self) -> "FindingQuerySet":
        return self.filter(status=Finding.Status.OPEN)


class Finding(models.Model):
    """A problem found on a river, with a stable identity so an order can be linked to it."""

    class Category(models.TextChoices):
        GARBAGE = "garbage", _("水面漂浮垃圾")
        SEWAGE_OUTLET = "sewage_outlet", _("违法排污口")
        ENCROACHMENT = "encroachment", _("违法建设/侵占河岸")
        BANK_DAMAGE = "bank_damage", _("岸坡损毁")
        BLACK_ODOROUS = "black_odorous", _("黑臭水体")
        ILLEGAL_FISHING = "illegal_fishing", _("非法捕捞")
        DUMPING = "dumping", _("倾倒垃圾/渣土")
        FACILITY_DAMAGE = "facility_damage", _("设施损坏（水闸、公示牌）")
        OTHER = "other", _("其他")

    class Status(models.TextChoices):
        OPEN = "open", _("待处理")
        ORDERED = "ordered", _("已转督办")
        RESOLVED = "resolved", _("已解决")
        DISMISSED = "dismissed", _("不予处理")

    client_id = models.UUIDField(_("客户端编号"), default=uuid.uuid4, unique=True)
    patrol = models.ForeignKey(
        Patrol,
        verbose_name=_("巡河记录"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="findings",
    )
    river = models.ForeignKey(
        "rivers.River", verbose_name=_("河道"), on_delete=models.PROTECT, related_name="findings"
    )
    reach = models.ForeignKey(
        "rivers.Reach",
        verbose_name=_("河段"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="findings",
    )
    # Scoping: the region of the patrol's chief (or of the reporter).
    region = models.ForeignKey(
        Region, verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="findings"
    )
    category = models.CharField(_("问题类别"), max_length=20, choices=Category.choices)
    note = models.TextField(_("问题描述"), blank=True)
    latitude = models.FloatField(
        _("纬度"), null=True, blank=True, validators=[MinValueValidator(-90), MaxValueValidator(90)]
    )
    longitude = models.FloatField(
        _("经度"),
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    found_at = models.DateTimeField(_("发现时间"), db_index=True)
    status = models.CharField(
        _("处理状态"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上报人"),
        on_delete=models.PROTECT,
        related_name="reported_findings",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords()

    objects = FindingQuerySet.as_manager()

    class Meta:
        verbose_name = _("巡河发现问题")
        verbose_name_plural = _("巡河发现问题")
        ordering = ["-found_at", "-id"]
        indexes = [
            models.Index(fields=["status", "found_at"]),
            models.Index(fields=["updated_at", "id"], name="finding_updated"),
        ]

    def __str__(self) -> str:
        return f"{self.river}·{self.get_category_display()}"


def photo_path(instance: "FindingPhoto", filename: str) -> str:
    return f"patrols/findings/{instance.finding.client_id}/{instance.client_id}.jpg"


class FindingPhoto(models.Model):
    """A photo of a finding: re-encoded, keeping only capture time and position."""

    client_id = models.UUIDField(_("客户端编号"), default=uuid.uuid4, unique=True)
    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(
        _("照片"), upload_to=photo_path, width_field="width", height_field="height"
    )
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    taken_at = models.DateTimeField(_("拍摄时间"), null=True, blank=True)
    latitude = models.FloatField(_("纬度"), null=True, blank=True)
    longitude = models.FloatField(_("经度"), null=True, blank=True)
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("问题照片")
        verbose_name_plural = _("问题照片")
        ordering = ["finding", "uploaded_at", "id"]

    def __str__(self) -> str:
        return f"{self.finding} #{self.pk}"


class DutyRule(models.Model):
    """How often chiefs of a level must patrol (editable by the office).

    Defaults from shared/reference/patrol-rules.md (Henan 2018, Hanzhong, Aheqi): district once a
    quarter, town once a month, village once a week. Variants the model expresses: per river
    rather than per chief (Sixian), one river only, every ten days (Guangzhou 2021), and a season
    (Aheqi: March to December).
    """

    class Period(models.TextChoices):
        WEEK = "week", _("每周（ISO 周）")
        TEN_DAYS = "ten_days", _("每旬")
        MONTH = "month", _("每月")
        QUARTER = "quarter", _("每季度")
        HALF_YEAR = "half_year", _("每半年")
        YEAR = "year", _("每年")

    level = models.CharField(_("河长级别"), max_length=10, choices=ChiefLevel.choices)
    period = models.CharField(_("周期"), max_length=10, choices=Period.choices)
    times = models.PositiveSmallIntegerField(
        _("次数"), default=1, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    per_river = models.BooleanField(
        _("按河道分别计算"), default=False, help_text=_("否：一名河长所有河道合计")
    )
    river = models.ForeignKey(
        "rivers.River",
        verbose_name=_("仅限河道"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="duty_rules",
        help_text=_("留空表示该级别所有河长"),
    )
    season_start_month = models.PositiveSmallIntegerField(
        pgettext_lazy("patrol rule", "起始月份"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
    )
    season_end_month = models.PositiveSmallIntegerField(
        _("结束月份"), default=12, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    is_active = models.BooleanField(_("启用"), default=True)
    note = models.CharField(_("依据/说明"), max_length=200, blank=True)
    region = models.ForeignKey(
        Region,
        verbose_name=_("适用区划"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("留空为默认规则；镇的规则替代该级别的默认规则"),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("巡河频次规则")
        verbose_name_plural = _("巡河频次规则")
        ordering = ["level", "river", "period"]
        constraints = [
            models.CheckConstraint(condition=Q(times__gte=1), name="duty_rule_times_positive"),
            models.CheckConstraint(
                condition=Q(season_start_month__gte=1, season_start_month__lte=12)
                & Q(season_end_month__gte=1, season_end_month__lte=12),
                name="duty_rule_season_months",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} {self.get_period_display()} {self.times}"

    def in_season(self, month: int) -> bool:
        """Whether a month lies in the season; a season may wrap (November to February)."""
        start, end = self.season_start_month, self.season_end_month
        if start <= end:
            return start <= month <= end
        return month >= start or month <= end


class AuthenticityPolicy(models.Model):
    """Thresholds of the authenticity flags, one row, editable by the office.

    Minimum duration and distance: 10 min and 1 km by default (Guangzhou; see
    shared/reference/patrol-rules.md for 5 min/300 m in Sixian, 30 min/2 km in Aheqi).
    """

    min_minutes = models.PositiveIntegerField(_("最短时长（分钟）"), default=10)
    min_distance_m = models.PositiveIntegerField(_("最短里程（米）"), default=1000)
    # Walking is ~5 km/h, a bicycle or e-bike 15-25 km/h; a car on the bank road is not a patrol.
    max_speed_kmh = models.FloatField(
        _("最高合理速度（公里/小时）"), default=25, validators=[MinValueValidator(1)]
    )
    max_river_distance_m = models.PositiveIntegerField(_("轨迹离河道最远（米）"), default=300)
    min_points = models.PositiveIntegerField(_("最少轨迹点数"), default=5)
    photo_tolerance_minutes = models.PositiveIntegerField(
        _("照片拍摄时间允许偏差（分钟）"), default=10
    )
    region = models.OneToOneField(
        Region,
        verbose_name=_("适用区划"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("留空为默认标准；区、镇可各有自己的标准"),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("真实性核查标准")
        verbose_name_plural = _("真实性核查标准")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)

    @classmethod
    def current(cls) -> "AuthenticityPolicy":
        """The default thresholds (no region), created on first use."""
        policy = cls.objects.filter(region__isnull=True).order_by("pk").first()
        return policy if policy is not None else cls.objects.create()

    @classmethod
    def for_region(cls, region: Region | None) -> "AuthenticityPolicy":
        """The thresholds that apply in ``region``: its town's, else its district's, else the
        default. One query (two when the default row does not exist yet)."""
        if region is None:
            return cls.current()
        codes = [region.code[:n] for n in (6, 9, 12) if n <= len(region.code)]
        found = list(
            cls.objects.filter(Q(region__code__in=codes) | Q(region__isnull=True))
            .select_related("region")
            .order_by("pk")
        )
        if not found:
            return cls.current()
        return max(found, key=lambda p: len(p.region.code) if p.region_id else -1)

    @classmethod
    def by_code(cls) -> dict[str, "AuthenticityPolicy"]:
        """Every policy keyed by its region code ("" for the default), for batch jobs."""
        policies = {
            (p.region.code if p.region_id else ""): p
            for p in cls.objects.select_related("region").order_by("-pk")
        }
        if "" not in policies:
            policies[""] = cls.current()
        return policies

    @staticmethod
    def pick(policies: dict[str, "AuthenticityPolicy"], code: str) -> "AuthenticityPolicy":
        for n in (12, 9, 6):
            if len(code) >= n and code[:n] in policies:
                return policies[code[:n]]
        return policies[""]

"""One river, one policy (一河一策): programmes, responsibility letters, plans and measures.

A :class:`Programme` (such as the 2018–2020 three-year action plan to eliminate water worse than
Class V) has a period; every :class:`Plan` belongs to one programme and covers one river, or the
small water bodies of one town or village. A plan lists the problems found, a target per year and
its :class:`Measure` rows, whose owners report progress (0–100) with a note. The history of every
measure is kept (django-simple-history), so the page shows who moved it, when and why.
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.choices import WaterClass
from core.models import Region, User
from core.scoping import EVERYWHERE, scope_code
from rivers.models import Chief, River, river_in_region_q


class Programme(models.Model):
    name = models.CharField(_("名称"), max_length=200)
    region = models.ForeignKey(
        Region, verbose_name=_("实施区划"), on_delete=models.PROTECT, related_name="programmes"
    )
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"))
    goal = models.TextField(_("总体目标"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("行动计划")
        verbose_name_plural = _("行动计划")
        ordering = ["-start_date", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")), name="programme_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def covers(self, day) -> bool:
        return self.start_date <= day <= self.end_date

    @property
    def years(self) -> list[int]:
        return list(range(self.start_date.year, self.end_date.year + 1))


class ResponsibilityLetter(models.Model):
    """A responsibility letter (责任书) a village or town signed against a programme."""

    programme = models.ForeignKey(
        Programme,
        verbose_name=_("行动计划"),
        on_delete=models.CASCADE,
        related_name="responsibility_letters",
    )
    region = models.ForeignKey(
        Region, verbose_name=_("签订单位"), on_delete=models.PROTECT, related_name="+"
    )
    signed_on = models.DateField(_("签订日期"))
    party_a = models.CharField(_("甲方（发包方）签字人"), max_length=100)
    party_b = models.CharField(_("乙方（责任方）签字人"), max_length=100)
    scan = models.FileField(_("扫描件"), upload_to="plans/letters/%Y/", blank=True)
    note = models.TextField(_("备注"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("责任书")
        verbose_name_plural = _("责任书")
        ordering = ["programme", "region__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "region"], name="one_responsibility_letter_per_region"
            )
        ]

    def __str__(self) -> str:
        return f"{self.region}·{self.programme}"


class PlanQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> "PlanQuerySet":
        """Plans of a region in the user's scope, or of a river the user can see."""
        code = scope_code(user)
        if code is None:
            return self.none()
        if code == EVERYWHERE:
            return self
        return self.filter(Q(region__code__startswith=code) | river_in_region_q(code, "river_id"))


class Plan(models.Model):
    programme = models.ForeignKey(
        Programme, verbose_name=_("行动计划"), on_delete=models.PROTECT, related_name="plans"
    )
    river = models.ForeignKey(
        River,
        verbose_name=_("河道"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="plans",
        help_text=_("留空表示该区划的小微水体"),
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("所属区划"),
        on_delete=models.PROTECT,
        related_name="plans",
        help_text=_("河道的所属区划；小微水体方案为镇或村"),
    )
    title = models.CharField(_("方案名称"), max_length=200)
    problems = models.TextField(_("存在问题"), blank=True)
    batch = models.PositiveSmallIntegerField(_("批次"), default=1)
    created_at = models.DateTimeField(_("编制时间"), default=timezone.now)
    history = HistoricalRecords()

    objects = PlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("一河一策方案")
        verbose_name_plural = _("一河一策方案")
        ordering = ["programme", "river__code", "region__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "river"],
                condition=Q(river__isnull=False),
                name="one_plan_per_river_per_programme",
            ),
            models.UniqueConstraint(
                fields=["programme", "region"],
                condition=Q(river__isnull=True),
                name="one_water_body_plan_per_region_per_programme",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class PlanTarget(models.Model):
    """What the plan promises for one year of its programme."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("方案"), on_delete=models.CASCADE, related_name="targets"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    water_class = models.PositiveSmallIntegerField(
        _("水质目标"), choices=WaterClass.choices, null=True, blank=True
    )
    black_odour_eliminated = models.BooleanField(_("消除黑臭"), default=False)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("年度目标")
        verbose_name_plural = _("年度目标")
        ordering = ["plan", "year"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "year"], name="one_target_per_plan_year")
        ]

    def __str__(self) -> str:
        return f"{self.plan} {self.year}"


class MeasureQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> "MeasureQuerySet":
        """Measures of the plans the user may see (Plan.visible_to's rule, through the plan)."""
        code = scope_code(user)
        if code is None:
            return self.none()
        if code == EVERYWHERE:
            return self
        return self.filter(
            Q(plan__region__code__startswith=code) | river_in_region_q(code, "plan__river_id")
        )

    def overdue(self, *, on=None) -> "MeasureQuerySet":
        day = on or timezone.localdate()
        return self.exclude(status=Measure.Status.DONE).filter(deadline__lt=day)


class Measure(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("未开始")
        IN_PROGRESS = "in_progress", _("实施中")
        DONE = "done", _("已完成")
        SUSPENDED = "suspended", _("暂缓")

    plan = models.ForeignKey(
        Plan, verbose_name=_("方案"), on_delete=models.CASCADE, related_name="measures"
    )
    title = models.CharField(_("措施"), max_length=200)
    description = models.TextField(_("内容"), blank=True)
    owner_unit = models.CharField(_("责任单位"), max_length=100)
    owner_chief = models.ForeignKey(
        Chief,
        verbose_name=_("责任河长"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="measures",
    )
    deadline = models.DateField(_("完成时限"))
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.PLANNED
    )
    progress = models.PositiveSmallIntegerField(
        _("进度（%）"), default=0, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    note = models.TextField(_("进展说明"), blank=True)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)
    updated_by = models.ForeignKey(
        User,
        verbose_name=_("更新人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    history = HistoricalRecords()

    objects = MeasureQuerySet.as_manager()

    class Meta:
        verbose_name = _("措施")
        verbose_name_plural = _("措施")
        ordering = ["plan", "deadline", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__gte=0) & Q(progress__lte=100), name="measure_progress_0_100"
            ),
            models.CheckConstraint(
                condition=~Q(status="done") | Q(progress=100), name="measure_done_is_100"
            ),
        ]
        indexes = [models.Index(fields=["deadline", "status"])]

    def __str__(self) -> str:
        return self.title

    def is_overdue(self, on=None) -> bool:
        return self.overdue_with(self.status, self.deadline, on=on)

    @classmethod
    def overdue_with(cls, status: str, deadline, *, on=None) -> bool:
        """Past its deadline and not done (an API list asks with a row's two columns)."""
        day = on or timezone.localdate()
        return status != cls.Status.DONE and deadline < day

"""Planned monitoring sites of the district's smart-water platform (智慧水务监测点).

A site is on a river or at a sluice gate, never both. Its history is kept, so the number of
rivers and gates with a planned site "as at" a moment is computed from the rows as they stood.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import Region, User
from core.scoping import EVERYWHERE, scope_code, under_code_q
from rivers.models import River, SluiceGate


class Parameter(models.TextChoices):
    """What a site will measure."""

    WATER_LEVEL = "water_level", _("水位")
    FLOW = "flow", _("流量")
    TEMPERATURE = "temperature", _("水温")
    PH = "ph", _("pH")
    DO = "do", _("溶解氧")
    NH3N = "nh3n", _("氨氮")
    TP = "tp", _("总磷")
    CODMN = "codmn", _("高锰酸盐指数")
    TURBIDITY = "turbidity", _("浊度")
    CONDUCTIVITY = "conductivity", _("电导率")
    GATE_OPENING = "gate_opening", _("闸门开度")
    VIDEO = "video", _("视频监控")


class SiteQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> "SiteQuerySet":
        code = scope_code(user)
        if code is None:
            return self.none()
        return self if code == EVERYWHERE else self.filter(under_code_q("town", code))


class Site(models.Model):
    class Status(models.TextChoices):
        PROPOSED = "proposed", _("拟设")
        SURVEYED = "surveyed", _("已踏勘")
        APPROVED = "approved", _("已批复")
        INSTALLED = "installed", _("已安装")

    code = models.CharField(_("站点编码"), max_length=30, unique=True)
    name = models.CharField(_("站点名称"), max_length=100)
    town = models.ForeignKey(
        Region, verbose_name=_("所属镇"), on_delete=models.PROTECT, related_name="smart_sites"
    )
    river = models.ForeignKey(
        River,
        verbose_name=_("河道"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="smart_sites",
    )
    gate = models.ForeignKey(
        SluiceGate,
        verbose_name=_("水闸"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="smart_sites",
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.PROPOSED
    )
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6)
    parameters = models.JSONField(_("监测参数"), default=list, blank=True)
    notes = models.TextField(_("备注"), blank=True)
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)
    history = HistoricalRecords()

    objects = SiteQuerySet.as_manager()

    class Meta:
        verbose_name = _("监测点")
        verbose_name_plural = _("监测点")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(river__isnull=False) & Q(gate__isnull=True))
                | (Q(river__isnull=True) & Q(gate__isnull=False)),
                name="site_on_river_or_gate",
            ),
            models.CheckConstraint(
                condition=Q(latitude__gte=-90) & Q(latitude__lte=90),
                name="site_latitude_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__gte=-180) & Q(longitude__lte=180),
                name="site_longitude_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def parameter_labels(self) -> list[str]:
        labels = dict(Parameter.choices)
        return [str(labels.get(p, p)) for p in self.parameters]

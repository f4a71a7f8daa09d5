"""Small and micro water bodies one by one (小微水体一水一策).

The registry row stays :class:`rivers.models.WaterBody`; this app adds what the town's
campaign needs for each body: who answers for it, the classification after inspection, photos,
and its own short policy, whose measures are ordinary :class:`plans.models.Measure` rows (in the
small-water-body plan of the programme), so progress reports, history and overdue rules are the
plans app's.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from core.models import User
from core.scoping import EVERYWHERE, scope_code, under_code_q
from plans.models import Measure, Plan
from rivers.models import Chief, WaterBody


def in_scope(user: User, field: str = "water_body__village") -> Q:
    code = scope_code(user)
    if code is None:
        return Q(pk__in=[])
    if code == EVERYWHERE:
        return Q()
    return under_code_q(field, code)


class Classification(models.TextChoices):
    """Classes used by the town's January 2018 inspection (good / fair / poor / black-odorous)."""

    GOOD = "good", _("一类：水质较好，保持")
    FAIR = "fair", _("二类：轻度污染，需维护")
    POOR = "poor", _("三类：污染较重，需整治")
    BLACK_ODOROUS = "black_odorous", _("四类：黑臭，重点整治")


class CareQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> "CareQuerySet":
        return self.filter(in_scope(user))


class Care(models.Model):
    """Responsibility and inspection of one small water body (one row per body)."""

    water_body = models.OneToOneField(
        WaterBody, verbose_name=_("小微水体"), on_delete=models.CASCADE, related_name="care"
    )
    responsible = models.ForeignKey(
        Chief,
        verbose_name=_("责任人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="water_bodies",
    )
    classification = models.CharField(
        _("排查分类"), max_length=16, choices=Classification.choices, blank=True
    )
    inspected_on = models.DateField(_("排查日期"), null=True, blank=True)
    inspection_note = models.TextField(_("排查情况"), blank=True)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)
    updated_by = models.ForeignKey(
        User, verbose_name=_("更新人"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    history = HistoricalRecords()

    objects = CareQuerySet.as_manager()

    class Meta:
        verbose_name = _("小微水体责任与排查")
        verbose_name_plural = _("小微水体责任与排查")
        ordering = ["water_body__code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(classification="") | Q(inspected_on__isnull=False),
                name="classified_body_has_inspection_date",
            )
        ]
        indexes = [models.Index(fields=["inspected_on"])]

    def __str__(self) -> str:
        return str(self.water_body)


class Photo(models.Model):
    water_body = models.ForeignKey(
        WaterBody, verbose_name=_("小微水体"), on_delete=models.CASCADE, related_name="photos"
    )
    image = models.ImageField(_("照片"), upload_to="smallwater/%Y/%m/")
    caption = models.CharField(pgettext_lazy("photo", "说明"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        User, verbose_name=_("上传人"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)

    class Meta:
        verbose_name = _("小微水体照片")
        verbose_name_plural = _("小微水体照片")
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return self.caption or self.image.name


class Policy(models.Model):
    """One body's own short policy (一水一策); its measures live in a plans.Plan."""

    water_body = models.OneToOneField(
        WaterBody, verbose_name=_("小微水体"), on_delete=models.CASCADE, related_name="policy"
    )
    plan = models.ForeignKey(
        Plan,
        verbose_name=_("所属方案"),
        on_delete=models.PROTECT,
        related_name="water_body_policies",
    )
    summary = models.TextField(_("治理思路"))
    prepared_on = models.DateField(_("编制日期"))
    prepared_by = models.ForeignKey(
        User, verbose_name=_("编制人"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    measures = models.ManyToManyField(
        Measure, verbose_name=_("措施"), related_name="water_body_policies", blank=True
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("一水一策")
        verbose_name_plural = _("一水一策")
        ordering = ["water_body__code"]

    def __str__(self) -> str:
        return f"{self.water_body}·{_('一水一策')}"

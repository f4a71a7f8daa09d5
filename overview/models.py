"""What the overview keeps of its own: the office's narrative around the annual report, the
versioned assessment rules and the monthly scorecards computed with them, and village
boundaries for the map where the registry has none."""

from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import Region


class ReportNarrative(models.Model):
    """A paragraph the office writes around one section of a town's annual report."""

    town = models.ForeignKey(Region, verbose_name=_("镇"), on_delete=models.CASCADE)
    year = models.PositiveSmallIntegerField(_("年度"))
    section = models.CharField(_("章节"), max_length=30)
    text = models.TextField(_("内容"), blank=True)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("更新人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("年度总结文字")
        verbose_name_plural = _("年度总结文字")
        constraints = [
            models.UniqueConstraint(
                fields=["town", "year", "section"], name="one_narrative_per_section"
            )
        ]

    def __str__(self) -> str:
        return f"{self.town} {self.year} {self.section}"


class AssessmentRules(models.Model):
    """One version of a town's assessment rules: items with weights, and the bands.

    Versions are never edited: a change is a new version valid from a month on, so a month's
    scores are always computed with the rules that were in force for it (last year's scores
    keep last year's rules). ``town`` empty: the default for towns without their own.
    """

    town = models.ForeignKey(
        Region, verbose_name=_("镇"), on_delete=models.CASCADE, null=True, blank=True
    )
    valid_from = models.DateField(_("起始月份"), help_text=_("该月1日起适用"))
    items = models.JSONField(_("考核项目与权重"), default=list)
    bands = models.JSONField(_("等次"), default=list)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("考核规则")
        verbose_name_plural = _("考核规则")
        ordering = ["-valid_from", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["town", "valid_from"], name="one_rules_version_per_town_and_month"
            )
        ]

    def __str__(self) -> str:
        return f"{self.town or _('默认')} {self.valid_from:%Y-%m}"

    def weights(self) -> dict[str, int]:
        return {item["key"]: int(item["weight"]) for item in self.items}

    def band_for(self, score: float) -> str:
        for band in sorted(self.bands, key=lambda b: -b["min"]):
            if score >= band["min"]:
                return band["label"]
        return ""


class Scorecard(models.Model):
    """A month's score of one chief or one village, with how it was reached item by item."""

    class Subject(models.TextChoices):
        CHIEF = "chief", _("河长")
        VILLAGE = "village", _("村/居委")

    town = models.ForeignKey(
        Region, verbose_name=_("镇"), on_delete=models.CASCADE, related_name="+"
    )
    month = models.DateField(_("月份"), help_text=_("该月1日"))
    subject = models.CharField(_("对象"), max_length=10, choices=Subject.choices)
    chief = models.ForeignKey(
        "rivers.Chief", verbose_name=_("河长"), on_delete=models.CASCADE, null=True, blank=True
    )
    village = models.ForeignKey(
        Region,
        verbose_name=_("村/居委"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    rules = models.ForeignKey(AssessmentRules, verbose_name=_("考核规则"), on_delete=models.PROTECT)
    score = models.DecimalField(_("得分"), max_digits=5, decimal_places=1, null=True)
    band = models.CharField(_("等次"), max_length=20, blank=True)
    items = models.JSONField(_("得分明细"), default=list)
    computed_at = models.DateTimeField(_("计算时间"), default=timezone.now)

    class Meta:
        verbose_name = _("月度考核")
        verbose_name_plural = _("月度考核")
        constraints = [
            models.UniqueConstraint(
                fields=["month", "chief"],
                condition=models.Q(subject="chief"),
                name="one_scorecard_per_chief_and_month",
            ),
            models.UniqueConstraint(
                fields=["month", "village"],
                condition=models.Q(subject="village"),
                name="one_scorecard_per_village_and_month",
            ),
        ]
        indexes = [models.Index(fields=["town", "month"])]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.chief or self.village}: {self.score}"

    @property
    def month_key(self) -> str:
        return f"{self.month:%Y-%m}"


class VillageBoundary(models.Model):
    """The outline of a village for the town map (GeoJSON Polygon/MultiPolygon, WGS84), where
    the registry has none."""

    village = models.OneToOneField(
        Region, verbose_name=_("村/居委"), on_delete=models.CASCADE, related_name="boundary"
    )
    geometry = models.JSONField(_("边界"))

    class Meta:
        verbose_name = _("村界")
        verbose_name_plural = _("村界")

    def __str__(self) -> str:
        return str(self.village)


def first_of_month(day: date) -> date:
    return day.replace(day=1)

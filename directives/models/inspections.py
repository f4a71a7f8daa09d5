"""Inspection rounds of higher bodies and the work orders (工作指令) of their groups."""

from datetime import date, datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import Region, User
from core.scoping import EVERYWHERE, scope_code, under_code_q
from directives.models.orders import local_day
from rivers.models import River


class InspectionRoundQuerySet(models.QuerySet):
    def visible_to(self, user: User):
        code = scope_code(user)
        if code is None:
            return self.none()
        if code == EVERYWHERE:
            return self
        # A village chief sees the rounds of their town (the work orders are public there).
        return self.filter(under_code_q("town", code[:9]))


class InspectionRound(models.Model):
    """An inspection by a higher body, e.g. 市水务局第三检查组's black-odour check."""

    town = models.ForeignKey(
        Region, verbose_name=_("被检查镇"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("检查名称"), max_length=200)
    group = models.CharField(_("检查组"), max_length=100)
    topic = models.CharField(_("检查内容"), max_length=200, blank=True)
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"))
    rivers = models.ManyToManyField(River, verbose_name=_("检查河道"), related_name="+")
    conclusion = models.TextField(_("检查结论"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    modified_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords()

    objects = InspectionRoundQuerySet.as_manager()

    class Meta:
        verbose_name = _("检查轮次")
        verbose_name_plural = _("检查轮次")
        ordering = ["-start_date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="inspection_round_dates_ordered"
            )
        ]

    def __str__(self) -> str:
        return self.name


class WorkOrderQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> "WorkOrderQuerySet":
        code = scope_code(user)
        if code is None:
            return self.none()
        if code == EVERYWHERE:
            return self
        return self.filter(under_code_q("inspection_round__town", code[:9]))


class WorkOrder(models.Model):
    """A work order (工作指令) from an inspection group, answered by the office."""

    class Status(models.TextChoices):
        OPEN = "open", _("待答复")
        ANSWERED = "answered", _("已答复")

    inspection_round = models.ForeignKey(
        InspectionRound,
        verbose_name=_("检查轮次"),
        on_delete=models.CASCADE,
        related_name="work_orders",
    )
    number = models.CharField(_("指令编号"), max_length=60)
    river = models.ForeignKey(
        River,
        verbose_name=_("河道"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    content = models.TextField(_("指令内容"))
    issued_on = models.DateField(_("下达日期"))
    reply_deadline = models.DateField(_("答复期限"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    modified_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords()

    objects = WorkOrderQuerySet.as_manager()

    class Meta:
        verbose_name = _("工作指令")
        verbose_name_plural = _("工作指令")
        ordering = ["inspection_round", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["inspection_round", "number"], name="work_order_number_per_round"
            ),
            models.CheckConstraint(
                condition=Q(reply_deadline__gte=F("issued_on")),
                name="work_order_reply_deadline_not_before_issue",
            ),
        ]
        indexes = [models.Index(fields=["modified_at"], name="work_order_modified")]

    def __str__(self) -> str:
        return f"{self.number} {self.content[:30]}"

    def is_overdue(self, at: datetime | date | None = None) -> bool:
        return self.status == self.Status.OPEN and self.reply_deadline < local_day(at)


class WorkOrderReply(models.Model):
    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="replies")
    text = models.TextField(_("答复内容"))
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("答复人"), on_delete=models.PROTECT
    )
    replied_at = models.DateTimeField(_("答复时间"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("指令答复")
        verbose_name_plural = _("指令答复")
        ordering = ["replied_at", "id"]

    def __str__(self) -> str:
        return self.text[:40]

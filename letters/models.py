"""Monthly letters to river chiefs (一信河长).

A :class:`LetterBatch` is one town's letters for one month, numbered per town and year (the
reference year had 5 batches). A batch for month M reports on the previous calendar month, as at
the first day of M, 00:00 (Asia/Shanghai), so that every figure is for a closed month and the
same whenever the batch is composed. Each :class:`Letter` is one chief's letter in a batch;
the database holds exactly one per chief per batch, whatever retries or double runs happen.
"""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from core.models import Region, User
from core.scoping import EVERYWHERE, can_manage_registry, scope_code, under_code_q
from rivers.models import Chief


def first_of_month(day: date) -> date:
    return day.replace(day=1)


def previous_month(month: date) -> date:
    return (month.replace(day=1) - date.resolution).replace(day=1)


def next_month(month: date) -> date:
    return (month.replace(day=28) + 4 * date.resolution).replace(day=1)


class LetterTemplate(models.Model):
    """The letter text of a town's office: Django template text, checked when saved."""

    town = models.OneToOneField(
        Region, verbose_name=_("镇/街道"), on_delete=models.CASCADE, related_name="letter_template"
    )
    subject = models.CharField(_("标题模板"), max_length=300)
    body = models.TextField(_("正文模板"))
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)
    updated_by = models.ForeignKey(
        User, verbose_name=_("更新人"), on_delete=models.SET_NULL, null=True, blank=True
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("致河长信模板")
        verbose_name_plural = _("致河长信模板")

    def __str__(self) -> str:
        return f"{self.town}"


class BatchQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> "BatchQuerySet":
        """Office staff and district systems see their region's batches; chiefs see none."""
        code = scope_code(user)
        if code is None or not (
            can_manage_registry(user) or user.role == User.Role.DISTRICT_CLIENT
        ):
            return self.none()
        return self if code == EVERYWHERE else self.filter(under_code_q("town", code))


class LetterBatch(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("待发送")
        SENDING = "sending", _("发送中")
        SENT = "sent", _("已发送")

    town = models.ForeignKey(
        Region, verbose_name=_("镇/街道"), on_delete=models.PROTECT, related_name="letter_batches"
    )
    month = models.DateField(_("月份"), help_text=_("该月1日"))
    year = models.PositiveSmallIntegerField(_("年度"))
    number = models.PositiveSmallIntegerField(_("期号"))
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    # The template as it was when the batch was sent: later edits do not change sent letters.
    subject_template = models.CharField(_("标题模板"), max_length=300, blank=True)
    body_template = models.TextField(_("正文模板"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    created_by = models.ForeignKey(
        User,
        verbose_name=_("创建人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    queued_at = models.DateTimeField(_("开始发送"), null=True, blank=True)
    queued_by = models.ForeignKey(
        User,
        verbose_name=_("发送人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    completed_at = models.DateTimeField(_("发送完成"), null=True, blank=True)
    history = HistoricalRecords()

    objects = BatchQuerySet.as_manager()

    class Meta:
        verbose_name = _("致河长信批次")
        verbose_name_plural = _("致河长信批次")
        ordering = ["-month", "town__code"]
        constraints = [
            models.UniqueConstraint(fields=["town", "month"], name="one_letter_batch_per_month"),
            models.UniqueConstraint(
                fields=["town", "year", "number"], name="letter_batch_number_unique"
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="letter_batch_month_first"),
        ]

    def __str__(self) -> str:
        return f"{self.town}{self.year}年第{self.number}期（{self.month:%Y-%m}）"

    @property
    def period_start(self) -> date:
        """The first day of the month the letters report on."""
        return previous_month(self.month)

    @property
    def period_end(self) -> date:
        """The last day of the month the letters report on."""
        return self.month - date.resolution

    @property
    def as_at(self) -> datetime:
        """Figures are as at the start of the batch's month, local time."""
        return datetime.combine(self.month, time.min, tzinfo=ZoneInfo(settings.TIME_ZONE))


class LetterQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> "LetterQuerySet":
        """Chiefs see their own letters; office staff and district systems their region's."""
        code = scope_code(user)
        if code is None:
            return self.none()
        if can_manage_registry(user) or user.role == User.Role.DISTRICT_CLIENT:
            return self if code == EVERYWHERE else self.filter(under_code_q("batch__town", code))
        return self.filter(recipient=user)

    def pending(self) -> "LetterQuerySet":
        return self.filter(status=Letter.Status.PENDING)


class Letter(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENDING = "sending", _("发送中")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败")

    batch = models.ForeignKey(
        LetterBatch, verbose_name=_("批次"), on_delete=models.CASCADE, related_name="letters"
    )
    chief = models.ForeignKey(
        Chief, verbose_name=_("河长"), on_delete=models.PROTECT, related_name="letters"
    )
    recipient = models.ForeignKey(
        User, verbose_name=_("收信人"), on_delete=models.PROTECT, related_name="letters"
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    subject = models.CharField(pgettext_lazy("email", "标题"), max_length=300, blank=True)
    body = models.TextField(_("正文"), blank=True)
    figures = models.JSONField(_("数据"), default=dict, blank=True)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    last_error = models.TextField(_("最近错误"), blank=True)
    claimed_at = models.DateTimeField(_("领取时间"), null=True, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)
    notification = models.OneToOneField(
        "notices.Notification",
        verbose_name=_("站内消息"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="letter",
    )

    objects = LetterQuerySet.as_manager()

    class Meta:
        verbose_name = _("致河长信")
        verbose_name_plural = _("致河长信")
        ordering = ["batch", "chief__level", "recipient__username"]
        constraints = [
            models.UniqueConstraint(
                fields=["batch", "chief"], name="one_letter_per_chief_per_batch"
            )
        ]
        indexes = [
            models.Index(fields=["batch", "status"]),
            models.Index(fields=["recipient", "-sent_at"]),
        ]

    def __str__(self) -> str:
        return self.subject or f"{self.batch} → {self.recipient}"

    @property
    def notification_key(self) -> str:
        return f"letter:{self.pk}"

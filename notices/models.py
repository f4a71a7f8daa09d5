"""The "send exactly once" machinery shared by the overdue alerts and the monthly letters.

A :class:`Notification` is one message to one person, unique by ``key`` (for example
``directive:12:overdue:user:5``), so a job that runs twice finds the row already there and
creates nothing: exactly once in the inbox. Each channel beyond the in-app inbox gets a
:class:`Delivery` row, unique per notification and channel. The row is the truth and the broker
only a wake-up: a worker *claims* the row for a lease before sending, and the sweeper
(``notices.services.sweep_outbox``) sends whatever no task picked up (see ``notices.services``).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    key = models.CharField(_("去重键"), max_length=200, unique=True)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("收件人"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("类别"), max_length=40)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("正文"), blank=True)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("站内消息")
        verbose_name_plural = _("站内消息")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["recipient"], condition=Q(read_at__isnull=True), name="notification_unread"
            )
        ]

    def __str__(self) -> str:
        return self.title


class Delivery(models.Model):
    class Channel(models.TextChoices):
        EMAIL = "email", _("电子邮件")
        SMS = "sms", _("短信")

    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENDING = "sending", _("发送中")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败")
        SKIPPED = "skipped", _("无联系方式")
        # The request left but no answer came back (timeout, or a worker that died after
        # handing it over): maybe sent. Never re-sent blindly; see notices.services.
        UNKNOWN = "unknown", _("结果未知")

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试"), default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    # A claim is a lease: past it, the worker that holds the row is taken for dead.
    lease_until = models.DateTimeField(_("领取期限"), null=True, blank=True)
    # Set just before the request goes to the gateway: a claim that expires without it sent
    # nothing (safe to send again); with it, the outcome is unknown.
    handed_at = models.DateTimeField(_("交给网关时间"), null=True, blank=True)
    resent_at = models.DateTimeField(_("人工重发时间"), null=True, blank=True)
    resent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("重发人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    last_error = models.TextField(_("最近错误"), blank=True)

    class Meta:
        verbose_name = _("消息投递")
        verbose_name_plural = _("消息投递")
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "channel"], name="delivery_once_per_channel"
            )
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status="pending"),
                name="delivery_pending_due",
            ),
            # The sweeper's other look: claims that may have expired, outcomes in doubt.
            models.Index(
                fields=["lease_until"],
                condition=Q(status__in=["sending", "unknown"]),
                name="delivery_in_doubt",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.notification} / {self.get_channel_display()}"

    @property
    def idempotency_key(self) -> str:
        """The same for every attempt of this delivery: the gateway's out-id, the Message-ID's
        left part. A gateway that deduplicates on it turns a repeated send into one message."""
        return f"hz-d{self.pk}"

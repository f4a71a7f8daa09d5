"""The public's part: signboards (公示牌), reports from residents, publicity articles.

A resident's :class:`Report` belongs to the town that owns the river; only that town's office
sees it in its queue and acts on it. The reporter's contact stays on the row for the office and
never appears on a public page or in the Open311 interface.
"""

import hashlib
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import Region, User
from core.scoping import EVERYWHERE, scope_code, under_code_q
from patrols.models import Finding
from rivers.models import Chief, River

# What a resident may report: the same categories as the chiefs' patrol findings.
Category = Finding.Category


def in_scope(user: User, field: str = "town") -> Q:
    code = scope_code(user)
    if code is None:
        return Q(pk__in=[])
    if code == EVERYWHERE:
        return Q()
    return under_code_q(field, code)


class OfficeContact(models.Model):
    """What a town office publishes on its signboards (the office edits it)."""

    town = models.OneToOneField(
        Region, verbose_name=_("镇"), on_delete=models.CASCADE, related_name="office_contact"
    )
    phone = models.CharField(_("监督电话"), max_length=30)
    address = models.CharField(_("办公地址"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("河长办公开信息")
        verbose_name_plural = _("河长办公开信息")

    def __str__(self) -> str:
        return f"{self.town}: {self.phone}"


class PublishedChiefPhone(models.Model):
    """A number the office chose to publish for a chief (never the private one by default)."""

    chief = models.OneToOneField(
        Chief, verbose_name=_("河长"), on_delete=models.CASCADE, related_name="published_phone"
    )
    phone = models.CharField(_("公开电话"), max_length=30)
    published_by = models.ForeignKey(
        User, verbose_name=_("公开人"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    published_at = models.DateTimeField(_("公开时间"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("河长公开电话")
        verbose_name_plural = _("河长公开电话")

    def __str__(self) -> str:
        return f"{self.chief}: {self.phone}"


class ArticleQuerySet(models.QuerySet):
    def published(self, *, at=None) -> "ArticleQuerySet":
        return self.filter(status=Article.Status.PUBLISHED, published_at__lte=at or timezone.now())

    def visible_to(self, user: User) -> "ArticleQuerySet":
        return self.filter(in_scope(user))


class Article(models.Model):
    """A publicity article (宣传报道) of a town office."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已发布")

    town = models.ForeignKey(
        Region, verbose_name=_("镇"), on_delete=models.PROTECT, related_name="articles"
    )
    title = models.CharField(_("标题"), max_length=200)
    summary = models.CharField(_("摘要"), max_length=300, blank=True)
    body = models.TextField(_("正文"))
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        User, verbose_name=_("作者"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    history = HistoricalRecords()

    objects = ArticleQuerySet.as_manager()

    class Meta:
        verbose_name = _("宣传报道")
        verbose_name_plural = _("宣传报道")
        ordering = ["-published_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False),
                name="published_article_has_date",
            )
        ]
        indexes = [models.Index(fields=["status", "published_at"])]

    def __str__(self) -> str:
        return self.title


class ReportQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> "ReportQuerySet":
        """Reports of the towns in the user's scope (office staff: their own town)."""
        return self.filter(in_scope(user))

    def waiting(self) -> "ReportQuerySet":
        return self.filter(status=Report.Status.RECEIVED)


def new_receipt() -> str:
    """A receipt number such as 20181105-7KQ3M2XA: the day, then 40 random bits."""
    alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
    day = timezone.localdate().strftime("%Y%m%d")
    return f"{day}-{''.join(secrets.choice(alphabet) for _ in range(8))}"


def hash_address(address: str) -> str:
    """The reporter's IP address is kept only as a keyed hash (for the duplicate check)."""
    return hashlib.sha256(f"{settings.SECRET_KEY}:{address}".encode()).hexdigest()[:32]


class Report(models.Model):
    """A problem a resident reported (群众反映), from a signboard page or an Open311 client."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("已受理")
        ORDERED = "ordered", _("已转督办")
        CLOSED = "closed", _("已办结")

    class Channel(models.TextChoices):
        WEB = "web", _("公示牌扫码")
        OPEN311 = "open311", _("Open311 接口")

    receipt = models.CharField(_("回执编号"), max_length=20, unique=True, default=new_receipt)
    town = models.ForeignKey(
        Region, verbose_name=_("受理镇"), on_delete=models.PROTECT, related_name="public_reports"
    )
    river = models.ForeignKey(
        River, verbose_name=_("河道"), on_delete=models.PROTECT, related_name="public_reports"
    )
    category = models.CharField(_("问题类型"), max_length=20, choices=Category.choices)
    text = models.TextField(_("问题描述"))
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(
        _("经度"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    location = models.CharField(_("位置描述"), max_length=200, blank=True)
    # Personal data: shown to the office only, never on a public page or in Open311.
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    channel = models.CharField(
        _("渠道"), max_length=10, choices=Channel.choices, default=Channel.WEB
    )
    address_hash = models.CharField(max_length=32, blank=True, editable=False)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.RECEIVED
    )
    close_reason = models.TextField(_("办结说明"), blank=True, help_text=_("将向举报人公开"))
    directive = models.OneToOneField(
        "directives.Directive",
        verbose_name=_("督办单"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="public_report",
    )
    handled_by = models.ForeignKey(
        User, verbose_name=_("处理人"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    handled_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("提交时间"), default=timezone.now, db_index=True)
    history = HistoricalRecords()

    objects = ReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("群众举报")
        verbose_name_plural = _("群众举报")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="ordered") | Q(directive__isnull=False),
                name="ordered_report_has_directive",
            ),
            models.CheckConstraint(
                condition=~Q(status="closed") | ~Q(close_reason=""),
                name="closed_report_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["town", "status"])]

    def __str__(self) -> str:
        return self.receipt


class ReportPhoto(models.Model):
    report = models.ForeignKey(
        Report, verbose_name=_("举报"), on_delete=models.CASCADE, related_name="photos"
    )
    image = models.ImageField(_("照片"), upload_to="public/reports/%Y/%m/")
    position = models.PositiveSmallIntegerField(_("顺序"), default=1)

    class Meta:
        verbose_name = _("举报照片")
        verbose_name_plural = _("举报照片")
        ordering = ["report", "position"]

    def __str__(self) -> str:
        return f"{self.report_id}-{self.position}"


class Open311Client(models.Model):
    """An outside public-reporting system allowed to create requests (Open311 ``api_key``).

    Only a hash of the key is stored; the key is shown once, when it is created.
    """

    name = models.CharField(_("名称"), max_length=100)
    prefix = models.CharField(_("前缀"), max_length=8, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        verbose_name = _("Open311 客户端")
        verbose_name_plural = _("Open311 客户端")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()


class SignboardPrintQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> "SignboardPrintQuerySet":
        """Prints of the office's own region (an administrator's whole-system prints: theirs)."""
        from core.scoping import can_manage_registry

        if not can_manage_registry(user):
            return self.none()
        return self.filter(in_scope(user, "region"))

    def running(self) -> "SignboardPrintQuerySet":
        return self.filter(status__in=SignboardPrint.RUNNING)


class SignboardPrint(models.Model):
    """The signboards of a town (or of one village) printed as one PDF by a worker.

    A whole town is thousands of A4 pages, far too long for a request: the office asks, the
    worker renders in chunks and moves ``rivers_done`` on, the page polls and then offers the
    file. The status guards the work: the task claims the row with a conditional UPDATE
    (QUEUED → RENDERING), so a redelivered task never renders twice; at most one print per
    scope runs at a time (``one_running_print_per_scope``).
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RENDERING = "rendering", _("生成中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")
        EXPIRED = "expired", _("已过期")

    RUNNING = (Status.QUEUED, Status.RENDERING)
    # A running print that stops moving this long was orphaned by a worker that died.
    STALLED_AFTER = timedelta(minutes=10)
    # A finished print's file is kept this long (a whole town is megabytes); then it expires
    # and the office prints again, from the registry as it is then.
    KEEP_FOR = timedelta(days=30)

    region = models.ForeignKey(
        Region,
        verbose_name=_("河长办辖区"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("空：全部辖区（系统管理员）"),
    )
    village = models.ForeignKey(
        Region,
        verbose_name=_("村/居委"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("空：辖区内全部河道"),
    )
    requested_by = models.ForeignKey(
        User, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    rivers_total = models.PositiveIntegerField(_("河道总数"), default=0)
    rivers_done = models.PositiveIntegerField(_("已生成河道数"), default=0)
    # The worker renders CHUNK rivers per task (each well inside a task's time limit), in
    # river-code order; a chunk's PDF waits in ``parts`` until the last one joins them.
    parts_done = models.PositiveIntegerField(default=0, editable=False)
    last_code = models.CharField(max_length=30, blank=True, editable=False)
    parts = models.JSONField(default=list, blank=True, editable=False)
    file = models.FileField(_("PDF 文件"), upload_to="public/signboards/", blank=True)
    error = models.TextField(_("错误"), blank=True)
    created_at = models.DateTimeField(_("申请时间"), default=timezone.now, db_index=True)
    # Moved on by the claim and by every chunk: a running print that stops moving is stalled.
    updated_at = models.DateTimeField(_("最近进展"), default=timezone.now)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    objects = SignboardPrintQuerySet.as_manager()

    class Meta:
        verbose_name = _("公示牌打印")
        verbose_name_plural = _("公示牌打印")
        ordering = ["-created_at", "-id"]
        constraints = [
            # One running print per scope: a second click while one renders gets that one.
            # Coalesce, because NULLs (the whole region, an administrator's everything) would
            # never collide in a plain unique index.
            models.UniqueConstraint(
                Coalesce("region", Value(0)),
                Coalesce("village", Value(0)),
                condition=Q(status__in=["queued", "rendering"]),
                name="one_running_print_per_scope",
            ),
            models.CheckConstraint(
                condition=~Q(status="done") | ~Q(file=""), name="done_print_has_file"
            ),
        ]
        indexes = [models.Index(fields=["region", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.village or self.region or '*'} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def is_running(self) -> bool:
        return self.status in self.RUNNING

    def is_stalled(self, at: datetime | None = None) -> bool:
        return self.is_running and (at or timezone.now()) - self.updated_at > self.STALLED_AFTER

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.rivers_total:
            return 0
        return min(100, round(100 * self.rivers_done / self.rivers_total))

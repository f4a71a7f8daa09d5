"""Supervision orders (督办单): the order, its numbering counter, rectification evidence,
attachments, extension requests and timeline events."""

from datetime import date, datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from core.models import Region, User
from core.scoping import EVERYWHERE, InSubquery, scope_code, under_code_q
from rivers.models import Chief, Reach, River


def local_day(at: datetime | date | None = None) -> date:
    """The calendar day in Asia/Shanghai (settings.TIME_ZONE) of a moment."""
    if at is None:
        return timezone.localdate()
    if isinstance(at, datetime):
        return timezone.localdate(at)
    return at


class Source(models.TextChoices):
    PATROL_FINDING = "patrol_finding", _("巡河发现")
    PHONE_REPORT = "phone_report", _("电话举报")
    LETTER_COMPLAINT = "letter_complaint", _("来信投诉")
    PUBLIC_REPORT = "public_report", _("群众反映")
    INSPECTION = "inspection", _("检查组工作指令")
    INSTRUCTION = "instruction", _("上级交办")


class Severity(models.TextChoices):
    NORMAL = "normal", _("一般")
    SERIOUS = "serious", _("较重")
    URGENT = "urgent", _("紧急")


class Status(models.TextChoices):
    ISSUED = "issued", _("已下发")
    ACCEPTED = "accepted", _("已签收")
    SUBMITTED = "submitted", _("整改待核查")
    RETURNED = "returned", _("退回重改")
    CLOSED = "closed", _("已销号")


# Statuses where the target still owes a rectification: the deadline runs against them.
AWAITING_TARGET = (Status.ISSUED, Status.ACCEPTED, Status.RETURNED)
OPEN = (*AWAITING_TARGET, Status.SUBMITTED)


def _addressed_to(user: User) -> Q:
    """Orders addressed to the user as a chief, by the order's own column: ``target_chief__user``
    joins the chiefs, and OR'd with the village it made PostgreSQL scan every order (220 ms
    over 100,000); on two indexed columns it combines two index scans."""
    chief_ids = Chief.objects.filter(user=user).order_by().values("pk")
    return Q(InSubquery(F("target_chief"), models.Subquery(chief_ids)))


class DirectiveQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> "DirectiveQuerySet":
        """Office and town users their town's orders; a village chief the orders addressed to
        their village or to them; district clients their district's."""
        code = scope_code(user)
        if code is None:
            return self.none()
        if code == EVERYWHERE:
            return self
        kind = user.region.kind
        if user.role == User.Role.VILLAGE_CHIEF:
            # A village has no regions below it: its id, not a list of ids to gather.
            village = (
                Q(target_village_id=user.region_id)
                if kind == Region.Kind.VILLAGE
                else under_code_q("target_village", code)
            )
            return self.filter(village | _addressed_to(user))
        if kind == Region.Kind.TOWN:
            # An order's town is a town: for a town's user, their own. An equality (rather than
            # ids gathered by a subquery) lets the planner estimate the town's few thousand rows
            # instead of a third of the table, which chose parallel plans costing 15-25 ms more.
            return self.filter(town_id=user.region_id)
        return self.filter(under_code_q("town", code))

    def open(self) -> "DirectiveQuerySet":
        return self.filter(status__in=OPEN)

    def overdue(self, *, at: datetime | date | None = None) -> "DirectiveQuerySet":
        """Still owed by the target and past the deadline on the local day of ``at``."""
        return self.filter(status__in=AWAITING_TARGET, deadline__lt=local_day(at))

    def due_by(self, day: date) -> "DirectiveQuerySet":
        """Owed by the target with a deadline on or before ``day`` (uses the partial index)."""
        return self.filter(status__in=AWAITING_TARGET, deadline__lte=day)

    def for_chief(self, user: User) -> "DirectiveQuerySet":
        """Orders a chief has to act on: addressed to them, or to their village."""
        q = _addressed_to(user)
        if user.role == User.Role.VILLAGE_CHIEF and user.region_id:
            q |= Q(target_village_id=user.region_id)
        return self.filter(q)


class OrderCounter(models.Model):
    """The last serial number used for a town's orders in a year; locked while numbering."""

    town = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_serial = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["town", "year"], name="order_counter_per_town_year")
        ]

    def __str__(self) -> str:
        return f"{self.town_id}/{self.year}: {self.last_serial}"


class Directive(models.Model):
    """A supervision order (督办单) from a town's river-chief office to a village or a chief."""

    town = models.ForeignKey(
        Region, verbose_name=_("镇"), on_delete=models.PROTECT, related_name="directives"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    serial = models.PositiveIntegerField(_("序号"))
    number = models.CharField(_("文号"), max_length=60)
    title = models.CharField(_("事由"), max_length=200)
    description = models.TextField(_("发现的问题"))
    requirement = models.TextField(_("整改要求"), blank=True)
    river = models.ForeignKey(
        River, verbose_name=_("河道"), on_delete=models.PROTECT, related_name="directives"
    )
    reach = models.ForeignKey(
        Reach,
        verbose_name=_("河段"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="directives",
    )
    location = models.CharField(_("具体位置"), max_length=200, blank=True)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(
        _("经度"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    source = models.CharField(_("来源"), max_length=20, choices=Source.choices)
    source_ref = models.CharField(
        _("来源说明"), max_length=200, blank=True, help_text=_("来电人、来信编号、上级文号等")
    )
    finding = models.ForeignKey(
        "patrols.Finding",
        verbose_name=pgettext_lazy("one finding", "巡河发现问题"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="directives",
    )
    work_order = models.ForeignKey(
        "WorkOrder",
        verbose_name=_("检查组工作指令"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="directives",
    )
    severity = models.CharField(
        _("严重程度"), max_length=10, choices=Severity.choices, default=Severity.NORMAL
    )
    target_village = models.ForeignKey(
        Region,
        verbose_name=_("责任村"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="received_directives",
    )
    target_chief = models.ForeignKey(
        Chief,
        verbose_name=_("责任河长"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="directives",
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("签发人"),
        on_delete=models.PROTECT,
        related_name="issued_directives",
    )
    issued_on = models.DateField(_("下发日期"))
    original_deadline = models.DateField(_("原定期限"))
    deadline = models.DateField(_("整改期限"))
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.ISSUED
    )
    accepted_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    rectified_at = models.DateTimeField(
        _("整改完成时间"), null=True, blank=True, help_text=_("核查通过的那次整改的提交时间")
    )
    closed_at = models.DateTimeField(_("销号时间"), null=True, blank=True)
    extensions_granted = models.PositiveSmallIntegerField(_("已批准延期次数"), default=0)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    modified_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords()

    objects = DirectiveQuerySet.as_manager()

    class Meta:
        verbose_name = _("督办单")
        verbose_name_plural = pgettext_lazy("plural", "督办单")
        ordering = ["-year", "-serial"]
        constraints = [
            models.UniqueConstraint(
                fields=["town", "year", "serial"], name="directive_number_per_town_year"
            ),
            models.CheckConstraint(
                condition=Q(deadline__gte=F("issued_on")),
                name="directive_deadline_not_before_issue",
            ),
            models.CheckConstraint(
                condition=Q(original_deadline__gte=F("issued_on")),
                name="directive_original_deadline_not_before_issue",
            ),
            models.CheckConstraint(
                condition=Q(target_village__isnull=False) | Q(target_chief__isnull=False),
                name="directive_has_a_target",
            ),
        ]
        indexes = [
            # The alert job reads only orders still owed, by deadline: its work grows with the
            # due orders, not with the archive. (A plain composite index rather than a partial
            # one: SQLite cannot match a partial index's condition against bound parameters.)
            models.Index(fields=["status", "deadline"], name="directive_status_deadline"),
            models.Index(fields=["town", "status"], name="directive_town_status"),
            models.Index(fields=["modified_at"], name="directive_modified"),
            models.Index(fields=["river", "status"], name="directive_river_status"),
            # The API's order across towns (newest year and serial first), read by index.
            models.Index(fields=["year", "serial", "id"], name="directive_year_serial"),
            # The board's closed column of a town, newest first, and its pages: read by index
            # instead of joining and sorting the town's thousands of closed orders. The id last
            # makes the order total (orders closed at no time, one serial in two years).
            models.Index(
                fields=["town", "status", "-closed_at", "-serial", "-id"],
                name="directive_town_closed_id",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN

    def is_overdue(self, at: datetime | date | None = None) -> bool:
        return self.status in AWAITING_TARGET and self.deadline < local_day(at)

    def days_left(self, at: datetime | date | None = None) -> int:
        return (self.deadline - local_day(at)).days

    def rectified_on_time(self) -> bool | None:
        if self.rectified_at is None:
            return None
        return local_day(self.rectified_at) <= self.deadline

    def days_to_rectify(self) -> int | None:
        if self.rectified_at is None:
            return None
        return (local_day(self.rectified_at) - self.issued_on).days

    @property
    def target_label(self) -> str:
        parts = [self.target_village.name] if self.target_village_id else []
        if self.target_chief_id:
            parts.append(self.target_chief.user.display_name)
        return " / ".join(parts)


def attachment_path(instance, filename: str) -> str:
    return f"directives/{timezone.localdate():%Y/%m}/{filename}"


class Rectification(models.Model):
    """Evidence of rectification submitted by the target (text and/or before/after photos)."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("待核查")
        ACCEPTED = "accepted", _("核查通过")
        RETURNED = "returned", _("退回")

    directive = models.ForeignKey(
        Directive, on_delete=models.CASCADE, related_name="rectifications"
    )
    text = models.TextField(_("整改情况"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("提交人"), on_delete=models.PROTECT
    )
    submitted_at = models.DateTimeField(_("提交时间"), default=timezone.now)
    outcome = models.CharField(
        _("核查结果"), max_length=10, choices=Outcome.choices, default=Outcome.PENDING
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("核查人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("核查时间"), null=True, blank=True)
    review_note = models.TextField(_("核查意见"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("整改反馈")
        verbose_name_plural = _("整改反馈")
        ordering = ["submitted_at", "id"]

    def __str__(self) -> str:
        return f"{self.directive_id} @ {self.submitted_at:%Y-%m-%d %H:%M}"


class Attachment(models.Model):
    class Kind(models.TextChoices):
        ATTACHMENT = "attachment", _("附件")
        BEFORE = "before", _("整改前照片")
        AFTER = "after", _("整改后照片")

    directive = models.ForeignKey(Directive, on_delete=models.CASCADE, related_name="attachments")
    rectification = models.ForeignKey(
        Rectification,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attachments",
    )
    kind = models.CharField(_("类别"), max_length=12, choices=Kind.choices)
    file = models.FileField(_("文件"), upload_to=attachment_path, max_length=300)
    name = models.CharField(_("文件名"), max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), on_delete=models.PROTECT
    )
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_image(self) -> bool:
        return self.name.lower().endswith((".jpg", ".jpeg", ".png", ".webp"))


class ExtensionRequest(models.Model):
    class Decision(models.TextChoices):
        PENDING = "pending", _("待审批")
        GRANTED = "granted", _("已批准")
        REFUSED = "refused", _("不予批准")

    directive = models.ForeignKey(Directive, on_delete=models.CASCADE, related_name="extensions")
    requested_deadline = models.DateField(_("申请延至"))
    reason = models.TextField(_("延期理由"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人"), on_delete=models.PROTECT
    )
    requested_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    decision = models.CharField(
        _("审批结果"), max_length=10, choices=Decision.choices, default=Decision.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_note = models.TextField(_("审批意见"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("延期申请")
        verbose_name_plural = _("延期申请")
        ordering = ["requested_at", "id"]
        constraints = [
            # At most one undecided request per order.
            models.UniqueConstraint(
                fields=["directive"],
                condition=Q(decision="pending"),
                name="one_pending_extension_per_directive",
            )
        ]

    def __str__(self) -> str:
        return f"{self.directive_id} → {self.requested_deadline}"


class Event(models.Model):
    """One step of an order's timeline: who did what, when, with what note."""

    class Kind(models.TextChoices):
        ISSUED = "issued", _("下发")
        ACCEPTED = "accepted", _("签收")
        SUBMITTED = "submitted", _("提交整改")
        RETURNED = "returned", _("退回重改")
        CLOSED = "closed", _("核查销号")
        EXTENSION_REQUESTED = "extension_requested", _("申请延期")
        EXTENSION_GRANTED = "extension_granted", _("批准延期")
        EXTENSION_REFUSED = "extension_refused", _("不予延期")
        ALERTED = "alerted", _("发送提醒")

    directive = models.ForeignKey(Directive, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("事项"), max_length=24, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)
    from_status = models.CharField(_("原状态"), max_length=12, choices=Status.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=12, choices=Status.choices, blank=True)
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["directive", "at"], name="directive_event_at")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"

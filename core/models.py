"""Administrative regions, users with roles, and API tokens for district systems.

Regions use the official hierarchical codes (统计用区划代码): a town's 9-digit code starts
with its district's 6 digits and a village's 12-digit code with its town's 9, so a region's
whole subtree is ``code__startswith=region.code``, one indexed query with no tree table.
"""

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Region(models.Model):
    class Kind(models.TextChoices):
        DISTRICT = "district", _("区")
        TOWN = "town", _("镇/街道")
        VILLAGE = "village", _("村/居委")

    CODE_LENGTH = {Kind.DISTRICT: 6, Kind.TOWN: 9, Kind.VILLAGE: 12}
    PARENT_KIND = {Kind.TOWN: Kind.DISTRICT, Kind.VILLAGE: Kind.TOWN}

    code = models.CharField(_("区划代码"), max_length=12, unique=True)
    name = models.CharField(_("名称"), max_length=60)
    kind = models.CharField(_("类别"), max_length=10, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="district") | Q(parent__isnull=False),
                name="region_non_district_has_parent",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        expected = self.CODE_LENGTH.get(self.kind)
        if expected and (len(self.code) != expected or not self.code.isdigit()):
            raise ValidationError(
                {
                    "code": _("%(kind)s的区划代码应为%(n)d位数字")
                    % {"kind": self.get_kind_display(), "n": expected}
                }
            )
        if self.kind in self.PARENT_KIND:
            if self.parent is None or self.parent.kind != self.PARENT_KIND[self.kind]:
                raise ValidationError({"parent": _("上级区划的类别不对")})
            if not self.code.startswith(self.parent.code):
                raise ValidationError({"code": _("区划代码必须以上级区划代码开头")})

    def contains(self, other: "Region") -> bool:
        return other.code.startswith(self.code)

    @property
    def town_code(self) -> str:
        return self.code[:9]


class User(AbstractUser):
    """A person (or a district system) using the application.

    ``role`` says what they do; ``region`` bounds what they see: office staff and town chiefs
    their town, village chiefs their village, district clients their district.
    """

    class Role(models.TextChoices):
        OFFICE = "office", _("河长办工作人员")
        TOWN_CHIEF = "town_chief", _("镇级河长")
        VILLAGE_CHIEF = "village_chief", _("村级河长")
        INSPECTOR = "inspector", _("检查人员")
        DISTRICT_CLIENT = "district_client", _("区级系统（API）")

    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, blank=True)
    region = models.ForeignKey(
        Region,
        verbose_name=_("所属区划"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    phone = models.CharField(_("手机号"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        full = f"{self.last_name}{self.first_name}".strip()
        return full or self.username

    @property
    def display_name(self) -> str:
        return str(self)

    @property
    def is_office(self) -> bool:
        return self.is_superuser or self.role == self.Role.OFFICE

    @property
    def is_village_chief(self) -> bool:
        return self.role == self.Role.VILLAGE_CHIEF


class ApiToken(models.Model):
    """A token held by a district system, scoped to the region of its user and to read or write.

    Only a hash of the key is stored; the key itself is shown once, when it is created.
    """

    class Scope(models.TextChoices):
        READ = "read", _("只读")
        WRITE = "write", _("读写")

    user = models.ForeignKey(
        User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("名称"), max_length=100)
    scope = models.CharField(_("权限"), max_length=10, choices=Scope.choices, default=Scope.READ)
    prefix = models.CharField(_("前缀"), max_length=8, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    expires_at = models.DateTimeField(
        _("有效期至"), null=True, blank=True, help_text=_("留空表示长期有效（可随时吊销）")
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @staticmethod
    def new_key() -> str:
        return secrets.token_urlsafe(32)

    def is_expired(self, at=None) -> bool:
        return self.expires_at is not None and self.expires_at <= (at or timezone.now())

    @property
    def can_write(self) -> bool:
        return self.scope == self.Scope.WRITE and self.revoked_at is None

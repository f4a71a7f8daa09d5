"""The river registry: rivers and their reaches, small water bodies, sluice gates, chiefs."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from core.choices import ChiefLevel, WaterClass
from core.models import Region, User
from core.scoping import (
    EVERYWHERE,
    InSubquery,
    RowsUnder,
    UnionOf,
    region_ids_under,
    scope_code,
    under_code_q,
)

# The longest river in Shanghai's network (the Huangpu) is 113 km; anything past this in a
# town's registry is a typing error (km entered as metres), not a river.
MAX_RIVER_LENGTH_KM = 300


def in_region_q(code: str) -> Q:
    """Rivers owned by, or crossing, a region whose code starts with ``code``.

    Uncorrelated subqueries on region ids (evaluated once, index lookups) rather than an
    ``EXISTS`` per row or a join on codes. For a town or a village the river ids are gathered
    first, owned and crossing in one ``UNION`` (:class:`InSubquery` of :class:`UnionOf`): most
    of a town's rivers are in both (2,500 owned, 2,750 crossings, 2,525 rivers on bench_big),
    and one array looks each river up once where an ``OR`` of the two arrays looked up 5,000
    ids (a town's count: 10,649 -> 5,600 buffers). For a whole district nearly every river
    matches, and the plain ``IN`` filter on the ordered index stops after one page.
    """
    crossing = RowsUnder(River.regions.through, "river", "region", code)
    if len(code) < Region.CODE_LENGTH[Region.Kind.TOWN]:
        return Q(region_id__in=region_ids_under(code)) | Q(pk__in=crossing)
    owned = RowsUnder(River, "id", "region", code)
    return Q(InSubquery(models.F("pk"), UnionOf(owned, crossing)))


def in_region_row_q(code: str) -> Q:
    """The rivers :func:`in_region_q` lets through, tested row by row: for reading one river
    (or a few) by id. :func:`in_region_q` gathers every id of the scope first, a town's 2,525
    (600 buffers) to let one river's page through; here the river's own region is looked up
    among the scope's regions and its crossings by an ``EXISTS`` on its id."""
    through = River.regions.through
    crossing = through.objects.filter(river=OuterRef("pk"), region_id__in=region_ids_under(code))
    return Q(region_id__in=region_ids_under(code)) | Q(Exists(crossing))


def river_in_region_q(code: str, field: str) -> Q:
    """Rows of another model whose river (``field``: a path to a river id, ``"plan__river_id"``)
    is one :func:`in_region_q` lets through: owned by, or crossing, a region under ``code``.

    The same uncorrelated subqueries on region ids, without a River queryset nested in an
    ``EXISTS`` (building and compiling that nesting cost an empty list of measures more than
    its SQL). A row without a river matches none.
    """
    crossing = RowsUnder(River.regions.through, "river", "region", code)
    owned = RowsUnder(River, "id", "region", code)
    if len(code) < Region.CODE_LENGTH[Region.Kind.TOWN]:
        return Q(**{f"{field}__in": owned}) | Q(**{f"{field}__in": crossing})
    return Q(InSubquery(models.F(field), owned)) | Q(InSubquery(models.F(field), crossing))


class RiverQuerySet(models.QuerySet):
    def visible_to(self, user: User, *, by_id: bool = False) -> "RiverQuerySet":
        """Rivers owned by, or crossing, a region inside the user's scope. ``by_id``: the
        caller reads one river (or a few) by id, and the scope is tested on those rows alone
        (:func:`in_region_row_q`)."""
        code = scope_code(user)
        if code is None:
            return self.none()
        if code == EVERYWHERE:
            return self
        return self.filter(in_region_row_q(code) if by_id else in_region_q(code))

    def editable_by(self, user: User) -> "RiverQuerySet":
        """Rivers the user may change: those *owned* by a region in a registry writer's scope.

        A river that merely crosses the caller's village or town is visible but not editable:
        the owning town changes the river and its chiefs; the other towns act only on their
        own reaches (see ``rivers.services.require_water_manager`` and README "Security").
        """
        from core.scoping import can_write_registry

        if not can_write_registry(user):
            return self.none()
        code = scope_code(user)
        if code is None:
            return self.none()
        if code == EVERYWHERE:
            return self
        return self.filter(under_code_q("region", code))

    def assigned_to(self, user: User, *, on=None) -> "RiverQuerySet":
        """Rivers where the user is a chief (of the river or of one of its reaches) today."""
        current = ChiefAssignment.objects.current(on=on).filter(
            river=OuterRef("pk"), chief__user=user
        )
        return self.filter(Exists(current))

    def with_current_chiefs(self, *, on=None) -> "RiverQuerySet":
        return self.prefetch_related(
            Prefetch(
                "assignments",
                queryset=ChiefAssignment.objects.current(on=on).select_related(
                    "chief__user", "reach"
                ),
                to_attr="current_assignments",
            )
        )


class River(models.Model):
    class WaterType(models.TextChoices):
        RIVER = "river", _("河流")
        LAKE = "lake", _("湖泊/水库")

    class Crs(models.TextChoices):
        WGS84 = "wgs84", "WGS84"
        GCJ02 = "gcj02", _("GCJ-02（国测局）")

    code = models.CharField(_("河道编码"), max_length=30, unique=True)
    name = models.CharField(_("河道名称"), max_length=100, db_index=True)
    level = models.CharField(_("河道等级"), max_length=10, choices=ChiefLevel.choices)
    water_type = models.CharField(
        _("水体类型"), max_length=10, choices=WaterType.choices, default=WaterType.RIVER
    )
    length_km = models.DecimalField(
        _("长度（公里）"),
        max_digits=7,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(MAX_RIVER_LENGTH_KM)],
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("所属区划"),
        on_delete=models.PROTECT,
        related_name="owned_rivers",
        help_text=_("区级河道属区，镇级河道属镇，村级河道属村"),
    )
    regions = models.ManyToManyField(
        Region, verbose_name=_("流经区划"), related_name="crossing_rivers", blank=True
    )
    target_class = models.PositiveSmallIntegerField(
        _("水质目标"), choices=WaterClass.choices[:5], default=WaterClass.V
    )
    geometry = models.JSONField(
        _("走向（GeoJSON LineString）"), null=True, blank=True, help_text=_("经纬度坐标")
    )
    geometry_crs = models.CharField(
        _("坐标系"), max_length=6, choices=Crs.choices, default=Crs.WGS84
    )
    start_point = models.CharField(_("起点"), max_length=100, blank=True)
    end_point = models.CharField(_("终点"), max_length=100, blank=True)
    note = models.TextField(_("备注"), blank=True)
    is_active = models.BooleanField(_("在册"), default=True)
    # District systems sync with ?modified_since= (core/pagination.py).
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords()

    objects = RiverQuerySet.as_manager()

    class Meta:
        verbose_name = _("河道")
        verbose_name_plural = pgettext_lazy("plural", "河道")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(length_km__gte=0) & Q(length_km__lte=MAX_RIVER_LENGTH_KM),
                name="river_length_plausible",
            ),
            models.CheckConstraint(
                condition=Q(target_class__gte=1) & Q(target_class__lte=5),
                name="river_target_class_i_to_v",
            ),
        ]
        indexes = [
            models.Index(fields=["level", "code"]),
            models.Index(fields=["updated_at", "id"], name="river_updated"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def villages(self):
        return [r for r in self.regions.all() if r.kind == Region.Kind.VILLAGE]


class Reach(models.Model):
    """A stretch (河段) of a river, where a river is split between chiefs or villages."""

    river = models.ForeignKey(
        River, verbose_name=_("河道"), on_delete=models.CASCADE, related_name="reaches"
    )
    name = models.CharField(_("河段名称"), max_length=100)
    position = models.PositiveSmallIntegerField(_("顺序"), default=1)
    start_point = models.CharField(_("起点"), max_length=100, blank=True)
    end_point = models.CharField(_("终点"), max_length=100, blank=True)
    length_km = models.DecimalField(
        _("长度（公里）"),
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(MAX_RIVER_LENGTH_KM)],
    )
    village = models.ForeignKey(
        Region,
        verbose_name=_("所在村"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reaches",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("河段")
        verbose_name_plural = _("河段")
        ordering = ["river", "position"]
        constraints = [
            models.UniqueConstraint(fields=["river", "name"], name="reach_name_unique_in_river")
        ]

    def __str__(self) -> str:
        return f"{self.river.name}·{self.name}"


class WaterBodyQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> "WaterBodyQuerySet":
        code = scope_code(user)
        if code is None:
            return self.none()
        return self if code == EVERYWHERE else self.filter(under_code_q("village", code))


class WaterBody(models.Model):
    """Small and micro water bodies (小微水体), each placed under a village."""

    class Kind(models.TextChoices):
        POND = "pond", _("池塘")
        DITCH = "ditch", _("沟渠")
        POOL = "pool", _("河浜/断头浜")
        OTHER = "other", _("其他")

    code = models.CharField(_("编码"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    village = models.ForeignKey(
        Region, verbose_name=_("所在村"), on_delete=models.PROTECT, related_name="water_bodies"
    )
    area_m2 = models.DecimalField(
        _("面积（平方米）"), max_digits=10, decimal_places=1, validators=[MinValueValidator(0)]
    )
    note = models.TextField(_("备注"), blank=True)
    history = HistoricalRecords()

    objects = WaterBodyQuerySet.as_manager()

    class Meta:
        verbose_name = _("小微水体")
        verbose_name_plural = _("小微水体")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(area_m2__gte=0), name="waterbody_area_positive")
        ]

    def __str__(self) -> str:
        return self.name


class SluiceGateQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> "SluiceGateQuerySet":
        code = scope_code(user)
        if code is None:
            return self.none()
        return self if code == EVERYWHERE else self.filter(under_code_q("region", code))


class SluiceGate(models.Model):
    code = models.CharField(_("水闸编码"), max_length=30, unique=True)
    name = models.CharField(_("水闸名称"), max_length=100)
    river = models.ForeignKey(
        River,
        verbose_name=_("所在河道"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sluice_gates",
    )
    region = models.ForeignKey(
        Region, verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="sluice_gates"
    )
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(
        _("经度"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    width_m = models.DecimalField(
        _("闸孔净宽（米）"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    note = models.TextField(_("备注"), blank=True)
    history = HistoricalRecords()

    objects = SluiceGateQuerySet.as_manager()

    class Meta:
        verbose_name = _("水闸")
        verbose_name_plural = pgettext_lazy("plural", "水闸")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class ChiefQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> "ChiefQuerySet":
        code = scope_code(user)
        if code is None:
            return self.none()
        return self if code == EVERYWHERE else self.filter(under_code_q("region", code))

    def active(self) -> "ChiefQuerySet":
        return self.filter(is_active=True, user__is_active=True)


class Chief(models.Model):
    """The river-chief profile of a user account."""

    class Title(models.TextChoices):
        FIRST_CHIEF = "first_chief", _("第一总河长")
        GENERAL_CHIEF = "general_chief", _("总河长")
        DEPUTY_GENERAL_CHIEF = "deputy_general_chief", _("副总河长")
        CHIEF = "chief", _("河长")
        DEPUTY_CHIEF = "deputy_chief", _("副河长")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.PROTECT,
        related_name="chief",
    )
    level = models.CharField(_("河长级别"), max_length=10, choices=ChiefLevel.choices)
    title = models.CharField(_("职务"), max_length=24, choices=Title.choices, default=Title.CHIEF)
    position = models.CharField(_("行政职务"), max_length=100, blank=True)
    region = models.ForeignKey(
        Region, verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="chiefs"
    )
    superior = models.ForeignKey(
        "self",
        verbose_name=_("上级河长"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="subordinates",
    )
    is_active = models.BooleanField(_("在任"), default=True)
    history = HistoricalRecords()

    objects = ChiefQuerySet.as_manager()

    class Meta:
        verbose_name = _("河长")
        verbose_name_plural = _("河长")
        ordering = ["level", "region__code", "user__last_name"]

    def __str__(self) -> str:
        return f"{self.user}（{self.get_title_display()}）"

    @property
    def phone(self) -> str:
        return self.user.phone


def in_force_q(day, prefix: str = "") -> Q:
    """Assignments in force on ``day``; ``prefix``: the path to them (``"assignments__"``)."""
    return (Q(**{f"{prefix}end_date__isnull": True}) | Q(**{f"{prefix}end_date__gte": day})) & Q(
        **{f"{prefix}start_date__lte": day}
    )


class AssignmentQuerySet(models.QuerySet):
    def current(self, *, on=None) -> "AssignmentQuerySet":
        return self.filter(in_force_q(on or timezone.localdate()))

    def visible_to(self, user: User) -> "AssignmentQuerySet":
        return self.filter(river__in=River.objects.visible_to(user))


class ChiefAssignment(models.Model):
    """A chief's responsibility for a river (or one reach of it) between two dates.

    History is kept: a handover ends one assignment and starts another. At any moment a river
    or reach has at most one *responsible* chief per level; deputies may be several.
    """

    class Duty(models.TextChoices):
        RESPONSIBLE = "responsible", _("河长")
        DEPUTY = "deputy", _("副河长")

    chief = models.ForeignKey(
        Chief, verbose_name=_("河长"), on_delete=models.PROTECT, related_name="assignments"
    )
    river = models.ForeignKey(
        River, verbose_name=_("河道"), on_delete=models.CASCADE, related_name="assignments"
    )
    reach = models.ForeignKey(
        Reach,
        verbose_name=_("河段"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="assignments",
    )
    level = models.CharField(_("级别"), max_length=10, choices=ChiefLevel.choices)
    duty = models.CharField(
        _("职责"), max_length=12, choices=Duty.choices, default=Duty.RESPONSIBLE
    )
    start_date = models.DateField(_("起始日期"))
    end_date = models.DateField(_("结束日期"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    # The river's code, copied here so that a chief's rivers are put in code order from the
    # assignments alone: the chief directory showed a town's chiefs' first rivers by reading
    # the river of each of their 2,500 assignments (7,500 buffers) to show 80. Kept by
    # rivers.signals on every save of an assignment or of a river whose code changes; bulk
    # writes call fill_river_codes.
    river_code = models.CharField(_("河道编码"), max_length=30, blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=["river_code"])

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("河长任命")
        verbose_name_plural = _("河长任命")
        ordering = ["river", "level", "-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="assignment_ends_after_start",
            ),
            # The service refuses overlapping periods; the database at least guarantees one
            # open-ended responsible chief per level for the whole river and for each reach.
            models.UniqueConstraint(
                fields=["river", "level"],
                condition=Q(reach__isnull=True, end_date__isnull=True, duty="responsible"),
                name="one_open_responsible_chief_per_river_level",
            ),
            models.UniqueConstraint(
                fields=["reach", "level"],
                condition=Q(reach__isnull=False, end_date__isnull=True, duty="responsible"),
                name="one_open_responsible_chief_per_reach_level",
            ),
        ]
        indexes = [
            models.Index(fields=["chief", "end_date"]),
            # The API's order (river, level, newest first) and ?modified_since= read by index.
            models.Index(
                fields=["river", "level", "-start_date", "-id"], name="assignment_api_order"
            ),
            models.Index(fields=["updated_at", "id"], name="assignment_updated"),
        ]

    def __str__(self) -> str:
        where = self.reach or self.river
        return f"{self.chief.user} → {where}"

    def covers(self, day) -> bool:
        return self.start_date <= day and (self.end_date is None or self.end_date >= day)


def fill_river_codes(assignments: models.QuerySet) -> int:
    """Copies each assignment's river code into ``river_code`` (one UPDATE): for writes that
    send no signal (``bulk_create``, a COPY) and for the rows of a river whose code changed."""
    code = River.objects.filter(pk=OuterRef("river_id")).values("code")[:1]
    return assignments.update(river_code=models.Subquery(code))

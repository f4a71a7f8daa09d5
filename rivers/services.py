"""Writes to the registry: rivers and their reaches, chief assignments.

Each function is atomic, checks who may do it, raises Django ``ValidationError`` with field
keys for bad input (the API turns it into a 400, the pages into form errors) and returns the
object. History rows are written by django-simple-history on every save.
"""

from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from core.choices import ChiefLevel, WaterClass
from core.models import Region, User
from core.scoping import (
    can_write_registry,
    require_region_in_scope,
    require_registry_writer,
    scope_code,
)
from rivers.models import MAX_RIVER_LENGTH_KM, Chief, ChiefAssignment, Reach, River

RIVER_FIELDS = {
    "code",
    "name",
    "level",
    "water_type",
    "length_km",
    "region",
    "target_class",
    "geometry",
    "geometry_crs",
    "start_point",
    "end_point",
    "note",
    "is_active",
}


def clean_length(value, field: str = "length_km") -> Decimal:
    """A plausible length in km: positive and at most MAX_RIVER_LENGTH_KM."""
    try:
        length = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("长度应为数字（公里）")}) from None
    if not length.is_finite():
        raise ValidationError({field: _("长度应为数字（公里）")})
    if length <= 0:
        raise ValidationError({field: _("长度必须大于 0")})
    if length > MAX_RIVER_LENGTH_KM:
        raise ValidationError(
            {
                field: _("长度 %(km)s 公里不合理（超过 %(max)d 公里），是否把米填成了公里？")
                % {"km": length, "max": MAX_RIVER_LENGTH_KM}
            }
        )
    return length.quantize(Decimal("0.01"))


def _check_geometry(geometry) -> None:
    if geometry in (None, ""):
        return
    coords = geometry.get("coordinates") if isinstance(geometry, dict) else None
    ok = (
        isinstance(geometry, dict)
        and geometry.get("type") == "LineString"
        and isinstance(coords, list)
        and len(coords) >= 2
        and all(
            isinstance(p, list | tuple)
            and len(p) >= 2
            and all(isinstance(c, int | float) for c in p[:2])
            and -180 <= p[0] <= 180
            and -90 <= p[1] <= 90
            for p in coords
        )
    )
    if not ok:
        raise ValidationError(
            {"geometry": _("走向应为 GeoJSON LineString：至少两个 [经度, 纬度] 坐标点")}
        )


def _check_regions(*, by: User, river: River, regions: list[Region]) -> None:
    require_region_in_scope(by, river.region)
    expected = {
        ChiefLevel.DISTRICT: Region.Kind.DISTRICT,
        ChiefLevel.TOWN: Region.Kind.TOWN,
        ChiefLevel.VILLAGE: Region.Kind.VILLAGE,
    }[river.level]
    if river.region.kind != expected:
        raise ValidationError(
            {
                "region": _("%(level)s河道应属于%(kind)s")
                % {"level": river.get_level_display(), "kind": Region.Kind(expected).label}
            }
        )
    code = scope_code(by) or ""
    outside = [r.name for r in regions if not r.code.startswith(code)]
    if outside:
        raise ValidationError(
            {"regions": _("不在您管辖范围内的区划：%(names)s") % {"names": "、".join(outside)}}
        )


def _save_river(*, by: User, river: River, regions, reaches) -> River:
    if river.length_km is not None:
        river.length_km = clean_length(river.length_km)
    _check_geometry(river.geometry)
    if river.target_class not in WaterClass.values[:5]:
        raise ValidationError({"target_class": _("水质目标应为Ⅰ类至Ⅴ类")})
    duplicate = River.objects.filter(code=river.code).exclude(pk=river.pk)
    if river.code and duplicate.exists():
        raise ValidationError({"code": _("河道编码 %(code)s 已登记") % {"code": river.code}})
    river.full_clean(exclude=["regions"], validate_unique=False)
    if regions is not None:
        regions = list(regions)
        _check_regions(by=by, river=river, regions=regions)
    else:
        require_region_in_scope(by, river.region)
    river.save()
    if regions is not None:
        # The owning region always counts among the regions the river crosses.
        river.regions.set({river.region, *regions})
    if reaches is not None:
        _save_reaches(river=river, reaches=reaches)
    return river


def _save_reaches(*, river: River, reaches: list[dict]) -> None:
    """Create or update reaches by name; reaches not listed are kept (they carry history)."""
    seen = set()
    for position, data in enumerate(reaches, start=1):
        name = (data.get("name") or "").strip()
        if not name:
            raise ValidationError({"reaches": _("第 %(n)d 个河段缺少名称") % {"n": position}})
        if name in seen:
            raise ValidationError({"reaches": _("河段名称重复：%(name)s") % {"name": name}})
        seen.add(name)
        village = data.get("village")
        if village is not None and not river.regions.filter(pk=village.pk).exists():
            raise ValidationError(
                {"reaches": _("河段%(name)s所在村不在河道流经的区划中") % {"name": name}}
            )
        length = data.get("length_km")
        reach = Reach.objects.filter(river=river, name=name).first() or Reach(
            river=river, name=name
        )
        reach.position = data.get("position") or position
        reach.start_point = data.get("start_point", reach.start_point) or ""
        reach.end_point = data.get("end_point", reach.end_point) or ""
        reach.length_km = (
            clean_length(length, "reaches") if length not in (None, "") else reach.length_km
        )
        reach.village = village
        reach.save()


@transaction.atomic
def create_river(*, by: User, regions=None, reaches: list[dict] | None = None, **fields) -> River:
    """Register a river owned by a region in the user's scope (office staff only)."""
    require_registry_writer(by)
    unknown = set(fields) - RIVER_FIELDS
    if unknown:
        raise TypeError(f"unknown river fields: {sorted(unknown)}")
    river = River(**fields)
    return _save_river(by=by, river=river, regions=regions or [], reaches=reaches)


@transaction.atomic
def update_river(
    *, by: User, river: River, regions=None, reaches: list[dict] | None = None, **fields
) -> River:
    """Change a river the user may edit; ``regions``/``reaches`` are replaced only if given."""
    require_registry_writer(by)
    if not River.objects.editable_by(by).filter(pk=river.pk).exists():
        raise PermissionDenied(_("您不能修改这条河道"))
    require_region_in_scope(by, river.region)
    unknown = set(fields) - RIVER_FIELDS
    if unknown:
        raise TypeError(f"unknown river fields: {sorted(unknown)}")
    river = River.objects.select_for_update().get(pk=river.pk)
    for name, value in fields.items():
        setattr(river, name, value)
    return _save_river(by=by, river=river, regions=regions, reaches=reaches)


# --- assignments -----------------------------------------------------------------------------


def _overlapping(
    *, river: River, reach: Reach | None, level: str, start: date, end: date | None
) -> "Q":
    """Rows at the same level whose period meets [start, end] and that cover the same water.

    A whole-river assignment covers every reach, so it clashes with each reach's assignment.
    """
    # A whole-river chief clashes with any reach's chief at the same level, and vice versa.
    same_water = Q() if reach is None else Q(reach=reach) | Q(reach__isnull=True)
    meets = Q(end_date__isnull=True) | Q(end_date__gte=start)
    if end is not None:
        meets &= Q(start_date__lte=end)
    return Q(river=river, level=level) & same_water & meets


def may_manage_water(*, user: User, river: River, reach: Reach | None) -> bool:
    """Whether ``user`` may appoint or end chiefs on ``river`` (or on one ``reach`` of it).

    The owning town manages the whole river and every reach; a town the river crosses manages
    only the reaches lying in its own villages. Either way, only with chiefs of its own scope
    (checked separately), so one town never ends or hands over another town's chief.
    """
    if River.objects.editable_by(user).filter(pk=river.pk).exists():
        return True
    if reach is None or reach.village_id is None or not can_write_registry(user):
        return False
    code = scope_code(user)
    return code is not None and reach.village.code.startswith(code)


def check_assignment(
    *,
    chief: Chief,
    river: River,
    reach: Reach | None,
    level: str,
    duty: str,
    start_date: date,
    end_date: date | None = None,
    by: User,
) -> ChiefAssignment | None:
    """Validate a new assignment; returns the open assignment it will hand over from, if any.

    Raises ValidationError for overlaps the handover cannot resolve.
    """
    require_registry_writer(by)
    if not may_manage_water(user=by, river=river, reach=reach):
        raise PermissionDenied(_("您不能管理这条河道的河长"))
    if not Chief.objects.visible_to(by).filter(pk=chief.pk).exists():
        raise PermissionDenied(_("该河长不在您的管辖范围内"))
    errors: dict[str, list[str]] = {}
    if reach is not None and reach.river_id != river.pk:
        errors.setdefault("reach", []).append(_("该河段不属于这条河道"))
    if level not in ChiefLevel.values:
        errors.setdefault("level", []).append(_("级别无效"))
    elif chief.level != level:
        errors.setdefault("level", []).append(
            _("%(chief)s是%(chief_level)s河长，不能担任%(level)s河长")
            % {
                "chief": chief.user,
                "chief_level": chief.get_level_display(),
                "level": ChiefLevel(level).label,
            }
        )
    if not chief.is_active or not chief.user.is_active:
        errors.setdefault("chief", []).append(_("该河长已离任"))
    if duty not in ChiefAssignment.Duty.values:
        errors.setdefault("duty", []).append(_("职责无效"))
    if end_date is not None and end_date < start_date:
        errors.setdefault("end_date", []).append(_("结束日期不能早于起始日期"))
    if errors:
        raise ValidationError(errors)

    clashes = ChiefAssignment.objects.filter(
        _overlapping(river=river, reach=reach, level=level, start=start_date, end=end_date)
    ).select_related("chief__user", "reach")
    if duty == ChiefAssignment.Duty.DEPUTY:
        if clashes.filter(chief=chief).exists():
            raise ValidationError({"chief": _("该河长在这段时间已有这项任命")})
        return None

    handover = None
    for other in clashes:
        if other.chief_id == chief.pk and other.reach_id == (reach.pk if reach else None):
            raise ValidationError({"chief": _("该河长在这段时间已有这项任命")})
        if other.duty != ChiefAssignment.Duty.RESPONSIBLE:
            continue
        same_target = other.reach_id == (reach.pk if reach else None)
        # A handover: the open assignment of the same water and level that began earlier ends
        # the day before the successor starts.
        if same_target and other.end_date is None and other.start_date < start_date:
            # A town hands over only from its own chiefs: the owner of a border river cannot
            # end the other town's chief of a reach, nor the other way round.
            if not Chief.objects.visible_to(by).filter(pk=other.chief_id).exists():
                raise PermissionDenied(_("该河段现任河长不在您的管辖范围内，不能由您交接"))
            handover = other
            continue
        where = other.reach.name if other.reach else _("全河")
        raise ValidationError(
            {
                "start_date": _(
                    "%(where)s在这段时间已有%(level)s河长%(chief)s（%(start)s 起%(end)s），时间不能重叠"
                )
                % {
                    "where": where,
                    "level": ChiefLevel(level).label,
                    "chief": other.chief.user,
                    "start": other.start_date,
                    "end": f" {_('至')} {other.end_date}" if other.end_date else "",
                }
            }
        )
    return handover


@transaction.atomic
def assign_chief(
    *,
    chief: Chief,
    river: River,
    reach: Reach | None = None,
    level: str,
    duty: str = ChiefAssignment.Duty.RESPONSIBLE,
    start_date: date,
    end_date: date | None = None,
    note: str = "",
    by: User,
) -> ChiefAssignment:
    """Make ``chief`` responsible (or deputy) for a river or one reach from ``start_date``.

    History is kept: a handover ends the predecessor's open assignment the day before; any
    other overlap of responsible chiefs at the same level on the same water is refused, so
    at any moment there is at most one. The river row is locked so two concurrent
    assignments cannot both pass the check.
    """
    River.objects.select_for_update().filter(pk=river.pk).first()
    handover = check_assignment(
        chief=chief,
        river=river,
        reach=reach,
        level=level,
        duty=duty,
        start_date=start_date,
        end_date=end_date,
        by=by,
    )
    if handover is not None:
        handover.end_date = start_date - timedelta(days=1)
        handover.note = (handover.note + " " + _("由%(next)s接任") % {"next": chief.user}).strip()[
            :200
        ]
        handover._change_reason = "handover"
        handover.save(update_fields=["end_date", "note"])
    return ChiefAssignment.objects.create(
        chief=chief,
        river=river,
        reach=reach,
        level=level,
        duty=duty,
        start_date=start_date,
        end_date=end_date,
        note=note,
    )


@transaction.atomic
def end_assignment(*, assignment: ChiefAssignment, end_date: date, by: User) -> ChiefAssignment:
    """End an assignment on ``end_date`` (its last day); the water shows a vacancy after it."""
    require_registry_writer(by)
    assignment = (
        ChiefAssignment.objects.select_for_update(of=("self",))
        .select_related("river", "reach__village", "chief")
        .get(pk=assignment.pk)
    )
    if not may_manage_water(user=by, river=assignment.river, reach=assignment.reach):
        raise PermissionDenied(_("您不能管理这条河道的河长"))
    if not Chief.objects.visible_to(by).filter(pk=assignment.chief_id).exists():
        raise PermissionDenied(_("该河长不在您的管辖范围内"))
    if end_date < assignment.start_date:
        raise ValidationError({"end_date": _("结束日期不能早于起始日期")})
    if assignment.end_date is not None and assignment.end_date <= end_date:
        raise ValidationError(
            {"end_date": _("该任命已于 %(day)s 结束") % {"day": assignment.end_date}}
        )
    assignment.end_date = end_date
    assignment.save(update_fields=["end_date"])
    return assignment

"""Issuing supervision orders, with the per-town, per-year number (朱泾河长办督〔2018〕第7号)."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import Region, User
from core.scoping import can_manage_registry
from directives.models import Attachment, Directive, Event, OrderCounter, Source, Status, WorkOrder
from directives.services.access import attach, mark_finding, recipients_of
from patrols.models import Finding
from rivers.models import Chief, Reach, River

# --- issuing ----------------------------------------------------------------------------------


def _short_town_name(town: Region) -> str:
    for suffix in ("街道", "镇", "乡"):
        if town.name.endswith(suffix) and len(town.name) > len(suffix):
            return town.name[: -len(suffix)]
    return town.name


def format_number(*, town: Region, year: int, serial: int) -> str:
    """The formal document number, e.g. 朱泾河长办督〔2018〕第7号."""
    return f"{_short_town_name(town)}河长办督〔{year}〕第{serial}号"


def _next_serial(*, town: Region, year: int) -> int:
    """Take the next serial for (town, year) under a row lock, so two issuers never share it.

    The unique constraint on (town, year, serial) is the last line of defence.
    """
    OrderCounter.objects.get_or_create(town=town, year=year)
    counter = OrderCounter.objects.select_for_update().get(town=town, year=year)
    counter.last_serial += 1
    counter.save(update_fields=["last_serial"])
    return counter.last_serial


def _issuer_town(user: User, river: River) -> Region | None:
    if user.region_id and user.region.kind == Region.Kind.TOWN:
        return user.region
    if user.is_superuser:
        # An administrator issues for the town the river belongs to.
        return Region.objects.filter(code=river.region.code[:9], kind=Region.Kind.TOWN).first()
    return None


def _river_in_town(river: River, town: Region) -> bool:
    return (
        River.objects.filter(pk=river.pk)
        .filter(Q(region__code__startswith=town.code) | Q(regions__code__startswith=town.code))
        .exists()
    )


@transaction.atomic
def issue_directive(
    *,
    issued_by: User,
    river: River,
    title: str,
    description: str,
    deadline: date,
    source: str,
    severity: str = "normal",
    reach: Reach | None = None,
    location: str = "",
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    target_village: Region | None = None,
    target_chief: Chief | None = None,
    requirement: str = "",
    source_ref: str = "",
    issued_on: date | None = None,
    work_order: WorkOrder | None = None,
    finding: "Finding | None" = None,
    attachments=(),
    notify_target: bool = True,
) -> Directive:
    """Issue a numbered order to a village and/or a chief of the issuer's town."""
    if not can_manage_registry(issued_by):
        raise PermissionDenied(_("只有河长办工作人员可以下发督办单"))
    issued_on = issued_on or timezone.localdate()
    errors: dict[str, list[str]] = {}

    def error(field, message):
        errors.setdefault(field, []).append(message)

    if not River.objects.visible_to(issued_by).filter(pk=river.pk).exists():
        # Never name a river the caller cannot see (it may be another town's or district's).
        raise ValidationError({"river": _("河道不存在或不在您的管辖范围内")})
    town = _issuer_town(issued_by, river)
    if town is None:
        error("river", _("无法确定下发督办单的镇"))
    elif not _river_in_town(river, town):
        error("river", _("%(river)s不在%(town)s范围内") % {"river": river.name, "town": town.name})
    if reach is not None and reach.river_id != river.pk:
        error("reach", _("该河段不属于所选河道"))
    if target_village is None and target_chief is None:
        error("target_village", _("请指定责任村或责任河长"))
    if (
        target_village is not None
        and town is not None
        and (
            target_village.kind != Region.Kind.VILLAGE
            or not target_village.code.startswith(town.code)
        )
    ):
        error("target_village", _("责任村必须是本镇的村/居委"))
    if (
        target_chief is not None
        and town is not None
        and (not target_chief.region.code.startswith(town.code) or not target_chief.is_active)
    ):
        error("target_chief", _("责任河长必须是本镇在任的河长"))
    if deadline < issued_on:
        error("deadline", _("整改期限不能早于下发日期（%(day)s）") % {"day": issued_on})
    if source not in Source.values:
        error("source", _("来源无效"))
    if (latitude is None) != (longitude is None):
        error("latitude", _("经纬度须同时填写"))
    if not title.strip():
        error("title", _("请填写事由"))
    if not description.strip():
        error("description", _("请填写发现的问题"))
    if work_order is not None and (
        town is None
        or not work_order.inspection_round.town.code.startswith(town.code)
        or not WorkOrder.objects.visible_to(issued_by).filter(pk=work_order.pk).exists()
    ):
        error("work_order", _("只能关联本镇的工作指令"))
    if finding is not None:
        if not finding.region.code.startswith(town.code if town else "-"):
            error("finding", _("只能由本镇发现的问题生成督办单"))
        if finding.status != Finding.Status.OPEN:
            error(
                "finding",
                _("该问题已“%(status)s”，不能再生成督办单")
                % {"status": finding.get_status_display()},
            )
        if finding.river_id != river.pk:
            error("river", _("督办单的河道须与发现问题的河道一致"))
    if errors:
        raise ValidationError(errors)

    year = issued_on.year
    serial = _next_serial(town=town, year=year)
    directive = Directive(
        town=town,
        year=year,
        serial=serial,
        number=format_number(town=town, year=year, serial=serial),
        title=title.strip(),
        description=description.strip(),
        requirement=requirement.strip(),
        river=river,
        reach=reach,
        location=location,
        latitude=latitude,
        longitude=longitude,
        source=source,
        source_ref=source_ref,
        finding=finding,
        work_order=work_order,
        severity=severity,
        target_village=target_village,
        target_chief=target_chief,
        issued_by=issued_by,
        issued_on=issued_on,
        original_deadline=deadline,
        deadline=deadline,
    )
    directive.save()
    for upload in attachments:
        attach(directive=directive, upload=upload, kind=Attachment.Kind.ATTACHMENT, by=issued_by)
    Event.objects.create(
        directive=directive,
        kind=Event.Kind.ISSUED,
        actor=issued_by,
        to_status=Status.ISSUED,
        note=_("整改期限 %(day)s") % {"day": deadline},
    )
    if finding is not None:
        mark_finding(finding=finding, by=issued_by, resolved=False)
    if notify_target:
        from notices.services import notify

        for user in recipients_of(directive):
            notify(
                key=f"directive:{directive.pk}:issued:{user.pk}",
                recipient=user,
                kind="directive",
                title=_("新督办单：%(number)s %(title)s")
                % {"number": directive.number, "title": directive.title},
                body=_("请于 %(day)s 前完成整改并反馈。") % {"day": deadline},
                url=f"/directives/{directive.pk}/",
            )
    return directive

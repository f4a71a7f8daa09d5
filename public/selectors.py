"""Reads shared by the public pages, the office queue, the Open311 interface and the report."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.choices import ChiefLevel, WaterClass
from core.models import Region, User
from public.models import (
    Article,
    OfficeContact,
    PublishedChiefPhone,
    Report,
    SignboardPrint,
)
from rivers.models import ChiefAssignment, River, in_region_q


def _year_bounds(year: int) -> tuple[datetime, datetime]:
    tz = ZoneInfo(settings.TIME_ZONE)
    return (
        datetime.combine(date(year, 1, 1), time.min, tzinfo=tz),
        datetime.combine(date(year + 1, 1, 1), time.min, tzinfo=tz),
    )


def articles_published(*, region: Region, year: int) -> int:
    """Publicity articles of towns inside ``region`` published in ``year`` (Asia/Shanghai)."""
    start, end = _year_bounds(year)
    return Article.objects.filter(
        town__code__startswith=region.code,
        status=Article.Status.PUBLISHED,
        published_at__gte=start,
        published_at__lt=end,
    ).count()


def public_articles(*, town: Region | None = None) -> QuerySet[Article]:
    qs = Article.objects.published().select_related("town")
    if town is not None:
        qs = qs.filter(town=town)
    return qs


def articles_for(*, user: User) -> QuerySet[Article]:
    """The office's list: drafts and published articles of its town."""
    return Article.objects.visible_to(user).select_related("town", "created_by")


# --- signboards -------------------------------------------------------------------------------

# What each level of chief answers for, as the signboards state it (《关于全面推行河长制的意见》,
# 2016: the chiefs organise and lead the management and protection of their rivers).
DUTIES = {
    ChiefLevel.DISTRICT: _("负责组织领导相应河湖的管理和保护工作，协调解决重大问题。"),
    ChiefLevel.TOWN: _("负责本镇河道的管理保护，督促整改问题，组织开展巡河和考核。"),
    ChiefLevel.VILLAGE: _("负责本村河道的日常巡查，发现问题及时处理或上报，落实保洁责任。"),
}


@dataclass
class SignboardChief:
    level: str
    level_label: str
    name: str
    title: str
    position: str
    duty: str
    where: str
    phone: str  # only a number the office published for this chief, else ""


@dataclass
class Signboard:
    river: River
    town: Region | None
    chiefs: list[SignboardChief]
    office_phone: str
    office_address: str
    water_class: int | None
    water_class_year: int | None
    measures: list
    villages: list

    @property
    def water_class_label(self) -> str:
        return str(WaterClass(self.water_class).label) if self.water_class else ""


def town_of(river: River) -> Region | None:
    return Region.objects.filter(code=river.region.code[:9], kind=Region.Kind.TOWN).first()


def office_contact(town: Region | None) -> tuple[str, str]:
    contact = OfficeContact.objects.filter(town=town).first() if town else None
    if contact:
        return contact.phone, contact.address
    return settings.PUBLIC_OFFICE_PHONE, ""


def _water_class(river: River) -> tuple[int | None, int | None]:
    """The river's class over the last calendar year with samples (None without samples)."""
    from monitoring.models import Sample
    from monitoring.selectors import river_status

    last = (
        Sample.objects.filter(point__river=river).order_by("-sampled_at").values("sampled_at")[:1]
    )
    if not last:
        return None, None
    year = timezone.localtime(last[0]["sampled_at"]).year
    status = river_status(
        river_ids=[river.pk], period_start=date(year, 1, 1), period_end=date(year, 12, 31)
    ).get(river.pk)
    return (status.water_class if status else None), year


def _headline_measures(river: River, limit: int = 3) -> list:
    from plans.models import Measure

    return list(
        Measure.objects.filter(plan__river=river)
        .select_related("plan__programme")
        .order_by("-plan__programme__start_date", "deadline", "id")[:limit]
    )


def signboard(*, river: River, on: date | None = None) -> Signboard:
    """Everything a river's public signboard shows. Personal phones only when published."""
    day = on or timezone.localdate()
    assignments = (
        ChiefAssignment.objects.current(on=day)
        .filter(river=river)
        .select_related("chief__user", "reach")
        .order_by("level", "duty", "reach__position")
    )
    published = {
        p.chief_id: p.phone
        for p in PublishedChiefPhone.objects.filter(chief_id__in=[a.chief_id for a in assignments])
    }
    order = {ChiefLevel.DISTRICT: 0, ChiefLevel.TOWN: 1, ChiefLevel.VILLAGE: 2}
    chiefs = [
        SignboardChief(
            level=a.level,
            level_label=ChiefLevel(a.level).label,
            name=a.chief.user.display_name,
            title=a.get_duty_display(),
            position=a.chief.position,
            duty=str(DUTIES.get(a.level, "")),
            where=a.reach.name if a.reach else "",
            phone=published.get(a.chief_id, ""),
        )
        for a in sorted(assignments, key=lambda a: order.get(a.level, 9))
    ]
    town = town_of(river)
    phone, address = office_contact(town)
    water_class, year = _water_class(river)
    return Signboard(
        river=river,
        town=town,
        chiefs=chiefs,
        office_phone=phone,
        office_address=address,
        water_class=water_class,
        water_class_year=year,
        measures=_headline_measures(river),
        villages=[r for r in river.regions.all() if r.kind == Region.Kind.VILLAGE],
    )


def print_rivers(*, region: Region | None, village: Region | None = None) -> QuerySet[River]:
    """Rivers on a print's signboards: owned by or crossing ``region`` (None: every region),
    or only those crossing ``village``; in river-code order (the worker's keyset)."""
    qs = River.objects.filter(is_active=True).select_related("region")
    if region is not None:
        qs = qs.filter(in_region_q(region.code))
    if village is not None:
        qs = qs.filter(pk__in=River.regions.through.objects.filter(region=village).values("river"))
    return qs.order_by("code")


def signboard_prints_for(*, user: User) -> QuerySet[SignboardPrint]:
    """The office's signboard prints, newest first (other towns' prints are not there)."""
    return SignboardPrint.objects.visible_to(user).select_related(
        "region", "village", "requested_by"
    )


# --- reports ----------------------------------------------------------------------------------


def reports_for(*, user: User, status: str = "") -> QuerySet[Report]:
    """The office's queue: reports of the towns in the user's scope, waiting ones first."""
    qs = (
        Report.objects.visible_to(user)
        .select_related("river", "town", "directive")
        .prefetch_related("photos")
    )
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("status", "-created_at")


def public_reports() -> QuerySet[Report]:
    """Every report, for the Open311 read interface (the serializer leaves contacts out)."""
    return Report.objects.select_related("river", "town", "directive").prefetch_related(
        Prefetch("photos")
    )


@dataclass
class ReportProgress:
    """What the public status page shows: no contact, no name, no address hash."""

    receipt: str
    river_name: str
    category: str
    submitted_at: datetime
    status: str
    status_label: str
    steps: list[tuple[str, datetime | None, str]]


def report_progress(*, receipt: str) -> ReportProgress | None:
    report = (
        Report.objects.filter(receipt=receipt.strip().upper())
        .select_related("river", "directive")
        .first()
    )
    if report is None:
        return None
    steps: list[tuple[str, datetime | None, str]] = [
        (str(Report.Status.RECEIVED.label), report.created_at, "")
    ]
    if report.status == Report.Status.ORDERED and report.directive is not None:
        d = report.directive
        steps.append(
            (
                str(Report.Status.ORDERED.label),
                report.handled_at,
                f"{d.number} · {d.deadline:%Y-%m-%d}",
            )
        )
        closed = d.status == "closed"
        if closed:
            steps.append((str(d.get_status_display()), d.closed_at, ""))
        else:
            steps.append((str(d.get_status_display()), None, ""))
    elif report.status == Report.Status.CLOSED:
        steps.append((str(Report.Status.CLOSED.label), report.handled_at, report.close_reason))
    return ReportProgress(
        receipt=report.receipt,
        river_name=report.river.name,
        category=report.get_category_display(),
        submitted_at=report.created_at,
        status=report.status,
        status_label=report.get_status_display(),
        steps=steps,
    )


def recent_reports_from(*, address_hash: str, hours: int = 24) -> QuerySet[Report]:
    return Report.objects.filter(
        address_hash=address_hash, created_at__gte=timezone.now() - timedelta(hours=hours)
    )

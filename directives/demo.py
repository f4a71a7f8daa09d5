"""Supervision orders and inspection work orders of the demo town (朱泾镇).

From shared/reference/zhujing.md: in 2018 the office issued 21 supervision orders, all
rectified within their deadlines; the city's 3rd inspection group (市水务局第三检查组) checked
black-odour remediation on 3 of the town's rivers and left 5 work orders, all answered.
Plus a few current orders (dated from today) so that the board and the alert job have
something to show: one overdue, one due soon, one waiting for verification, one returned.

Deterministic (seeded), idempotent (each part is skipped when its rows exist) and fast
(bulk inserts with their history rows). Patrol findings of 2018 from the patrols demo are
linked when that app has demo data; otherwise those orders simply have no finding.
"""

import random
from datetime import date, datetime, time, timedelta

from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from core.models import Region, User
from directives.models import (
    Directive,
    Event,
    InspectionRound,
    Rectification,
    Severity,
    Source,
    Status,
    WorkOrder,
    WorkOrderReply,
)
from directives.services.orders import _next_serial, format_number
from rivers.models import ChiefAssignment, River

SEED = 4
TOWN_CODE = "310116102"
YEAR = 2018
ORDERS_2018 = 21
ROUND_NAME = "2018年城市黑臭水体整治专项检查"
GROUP = "市水务局第三检查组"

# (source, how many) adding up to 21; two come from the inspection group's work orders.
SOURCES_2018 = [
    (Source.PATROL_FINDING, 9),
    (Source.PHONE_REPORT, 4),
    (Source.LETTER_COMPLAINT, 3),
    (Source.PUBLIC_REPORT, 2),
    (Source.INSPECTION, 2),
    (Source.INSTRUCTION, 1),
]
PROBLEMS = [
    (
        "河面漂浮垃圾",
        "河面有成片漂浮垃圾和水葫芦，影响河道景观和水质。",
        "及时打捞，落实日常保洁。",
    ),
    ("岸坡乱堆放", "岸坡堆放建筑垃圾和杂物，侵占河道蓝线。", "限期清除堆放物，恢复岸坡绿化。"),
    ("雨污混接排口", "沿河住户雨污混接，晴天排口有污水流出。", "排查混接点，完成截污纳管。"),
    ("河道违章搭建", "河岸新建简易棚舍，占用河道管理范围。", "拆除违章搭建，恢复原状。"),
    ("养殖尾水直排", "沿河养殖场尾水未经处理直排河道。", "落实尾水处理设施，停止直排。"),
    ("水体发黑发臭", "断头浜水体发黑，有明显异味。", "清淤疏浚，实施活水畅流。"),
    ("护岸破损", "护岸局部坍塌，存在安全隐患。", "设置警示，组织修复护岸。"),
    ("河长公示牌缺失", "河长公示牌损坏、信息未更新。", "更换公示牌，更新河长信息。"),
]
PHONE_REFS = ["12345市民热线", "镇河长办值班电话", "区河长办转办电话"]
LETTER_REFS = ["群众来信（编号2018-{n:03d}）", "人大代表建议（编号2018-{n:03d}）"]


def _at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def build(*, stdout=None) -> str:
    town = Region.objects.filter(code=TOWN_CODE).first()
    office = User.objects.filter(username="office").first()
    if town is None or office is None:
        return "skipped: the rivers demo (town and office user) is missing"
    rng = random.Random(SEED)
    created = {"orders_2018": 0, "work_orders": 0, "current_orders": 0}
    inspection = _inspection_round(town, office, rng, created)
    if not Directive.objects.filter(town=town, year=YEAR).exists():
        created["orders_2018"] = _orders_2018(town, office, inspection, rng)
    created["current_orders"] = _current_orders(town, office)
    return ", ".join(f"{k} +{v}" for k, v in created.items())


# --- targets ----------------------------------------------------------------------------------


def _targets(town: Region) -> list[tuple[River, object, Region, object]]:
    """(river, reach, village, chief) for each current village-level assignment."""
    rows = []
    for a in (
        ChiefAssignment.objects.filter(
            level="village", river__region__code__startswith=town.code, end_date__isnull=True
        )
        .select_related("river", "reach__village", "chief__region")
        .order_by("river__code", "reach__position", "pk")
    ):
        village = a.reach.village if a.reach_id else a.chief.region
        rows.append((a.river, a.reach, village, a.chief))
    return rows


# --- the inspection round ---------------------------------------------------------------------


def _inspection_round(town, office, rng, created) -> InspectionRound:
    existing = InspectionRound.objects.filter(town=town, name=ROUND_NAME).first()
    if existing is not None:
        return existing
    rivers = list(River.objects.filter(code__in=["ZJ-Z001", "ZJ-Z002", "ZJ-Z003"]))
    inspection = InspectionRound.objects.create(
        town=town,
        name=ROUND_NAME,
        group=GROUP,
        topic="黑臭水体整治成效检查",
        start_date=date(2018, 9, 11),
        end_date=date(2018, 9, 13),
        conclusion="检查河道均已消除黑臭，检查通过；5 份工作指令均已按期答复。",
        created_by=office,
    )
    inspection.rivers.set(rivers)
    contents = [
        "河道两岸局部仍有生活垃圾，请落实保洁。",
        "发现一处雨水排口晴天有水流出，请排查来源。",
        "部分河段水面有漂浮物，请加强打捞。",
        "河长公示牌信息未更新，请更换。",
        "请补充黑臭水体整治前后水质监测资料。",
    ]
    orders = []
    for n, content in enumerate(contents, start=1):
        issued = date(2018, 9, 13)
        orders.append(
            WorkOrder(
                inspection_round=inspection,
                number=f"三组指令〔2018〕{n}号",
                river=rivers[(n - 1) % len(rivers)] if rivers else None,
                content=content,
                issued_on=issued,
                reply_deadline=issued + timedelta(days=14),
                status=WorkOrder.Status.ANSWERED,
                answered_at=_at(issued + timedelta(days=rng.randint(5, 12)), 16),
                created_by=office,
            )
        )
    orders = bulk_create_with_history(orders, WorkOrder, default_user=office)
    orders = list(WorkOrder.objects.filter(inspection_round=inspection).order_by("number"))
    WorkOrderReply.objects.bulk_create(
        [
            WorkOrderReply(
                work_order=w,
                text="已按要求完成整改，整改前后照片及监测资料已报送检查组。",
                replied_by=office,
                replied_at=w.answered_at,
            )
            for w in orders
        ]
    )
    created["work_orders"] = len(orders)
    return inspection


# --- 2018 -------------------------------------------------------------------------------------


def _findings_2018(town):
    """Open patrol findings of 2018 from the patrols demo, if it has any."""
    try:
        from patrols.models import Finding
    except ImportError:  # pragma: no cover
        return []
    found = list(
        Finding.objects.filter(
            region__code__startswith=town.code,
            found_at__year=YEAR,
            found_at__month__lte=11,  # so that the order is still issued in the year
            status=Finding.Status.OPEN,
        )
        .select_related("river", "reach", "region")
        .order_by("found_at", "pk")
    )
    wanted = dict(SOURCES_2018)[Source.PATROL_FINDING]
    if len(found) <= wanted:
        return found
    # Spread over the year: every n-th finding in date order.
    step = len(found) // wanted
    return found[::step][:wanted]


def _orders_2018(town, office, inspection, rng) -> int:
    targets = _targets(town)
    if not targets:
        return 0
    findings = _findings_2018(town)
    work_orders = list(WorkOrder.objects.filter(inspection_round=inspection).order_by("number"))
    sources = [s for s, n in SOURCES_2018 for _ in range(n)]
    rng.shuffle(sources)
    # Issue dates spread over the year, in order, so the numbers follow the dates.
    days = sorted(date(YEAR, 1, 15) + timedelta(days=rng.randint(0, 320)) for _ in sources)
    plans = []
    finding_iter = iter(findings)
    inspection_iter = iter(work_orders[1:3])
    for n, (source, issued) in enumerate(zip(sources, days, strict=True), start=1):
        river, reach, village, chief = targets[rng.randrange(len(targets))]
        title, description, requirement = PROBLEMS[rng.randrange(len(PROBLEMS))]
        finding = work_order = None
        source_ref = ""
        if source == Source.PATROL_FINDING:
            finding = next(finding_iter, None)
            if finding is not None:
                issued = timezone.localdate(finding.found_at) + timedelta(days=rng.randint(1, 3))
                river, reach = finding.river, finding.reach
                village = finding.region if finding.region.kind == "village" else village
                description = finding.note or description
            source_ref = "镇级河长巡河发现"
        elif source == Source.INSPECTION:
            work_order = next(inspection_iter)
            issued = work_order.issued_on + timedelta(days=1)
            river = work_order.river or river
            reach = None
            source_ref = f"{GROUP} {work_order.number}"
        elif source == Source.PHONE_REPORT:
            source_ref = rng.choice(PHONE_REFS)
        elif source == Source.LETTER_COMPLAINT:
            source_ref = rng.choice(LETTER_REFS).format(n=n)
        elif source == Source.INSTRUCTION:
            source_ref = "区河长办交办单"
        deadline = issued + timedelta(days=rng.choice([7, 10, 15, 20, 30]))
        accepted = issued + timedelta(days=rng.randint(0, 1))
        submitted = min(deadline, accepted + timedelta(days=rng.randint(2, 10)))
        closed = submitted + timedelta(days=rng.randint(1, 3))
        plans.append(
            {
                "river": river,
                "reach": reach,
                "village": village,
                "chief": chief,
                "title": f"{river.name}{title}",
                "description": description,
                "requirement": requirement,
                "source": source,
                "source_ref": source_ref,
                "finding": finding,
                "work_order": work_order,
                "severity": rng.choice([Severity.NORMAL] * 3 + [Severity.SERIOUS]),
                "issued": issued,
                "deadline": deadline,
                "accepted": accepted,
                "submitted": submitted,
                "closed": closed,
            }
        )
    # Inspection work orders move issue dates: keep the numbers in date order.
    plans.sort(key=lambda p: p["issued"])
    directives = []
    for p in plans:
        serial = _next_serial(town=town, year=YEAR)
        directives.append(
            Directive(
                town=town,
                year=YEAR,
                serial=serial,
                number=format_number(town=town, year=YEAR, serial=serial),
                title=p["title"],
                description=p["description"],
                requirement=p["requirement"],
                river=p["river"],
                reach=p["reach"],
                source=p["source"],
                source_ref=p["source_ref"],
                finding=p["finding"],
                work_order=p["work_order"],
                severity=p["severity"],
                target_village=p["village"],
                target_chief=p["chief"],
                issued_by=office,
                issued_on=p["issued"],
                original_deadline=p["deadline"],
                deadline=p["deadline"],
                status=Status.CLOSED,
                accepted_at=_at(p["accepted"], 9),
                rectified_at=_at(p["submitted"], 15),
                closed_at=_at(p["closed"], 11),
                created_at=_at(p["issued"], 9),
            )
        )
    bulk_create_with_history(directives, Directive, default_user=office)
    saved = list(Directive.objects.filter(town=town, year=YEAR).order_by("serial"))
    events, rectifications = [], []
    for d, p in zip(saved, plans, strict=True):
        chief_user = p["chief"].user
        events += [
            Event(
                directive=d,
                kind=Event.Kind.ISSUED,
                actor=office,
                at=_at(p["issued"], 9),
                to_status=Status.ISSUED,
                note=f"整改期限 {p['deadline']}",
            ),
            Event(
                directive=d,
                kind=Event.Kind.ACCEPTED,
                actor=chief_user,
                at=d.accepted_at,
                from_status=Status.ISSUED,
                to_status=Status.ACCEPTED,
            ),
            Event(
                directive=d,
                kind=Event.Kind.SUBMITTED,
                actor=chief_user,
                at=d.rectified_at,
                from_status=Status.ACCEPTED,
                to_status=Status.SUBMITTED,
                note="已按要求完成整改，附整改前后照片。",
            ),
            Event(
                directive=d,
                kind=Event.Kind.CLOSED,
                actor=office,
                at=d.closed_at,
                from_status=Status.SUBMITTED,
                to_status=Status.CLOSED,
                note="现场核查，整改到位，予以销号。",
            ),
        ]
        rectifications.append(
            Rectification(
                directive=d,
                text="已按要求完成整改，附整改前后照片。",
                submitted_by=chief_user,
                submitted_at=d.rectified_at,
                outcome=Rectification.Outcome.ACCEPTED,
                reviewed_by=office,
                reviewed_at=d.closed_at,
                review_note="整改到位",
            )
        )
    Event.objects.bulk_create(events)
    Rectification.objects.bulk_create(rectifications)
    _resolve_findings([p["finding"] for p in plans if p["finding"] is not None], office)
    return len(saved)


def _resolve_findings(findings, office) -> None:
    """Findings turned into 2018 orders were ordered, then resolved when the order closed."""
    if not findings:
        return
    from patrols.services.findings import mark_finding_ordered, mark_finding_resolved

    for finding in findings:
        mark_finding_ordered(finding=finding, by=office)
        mark_finding_resolved(finding=finding, by=office)


# --- current orders ---------------------------------------------------------------------------

# (title, days issued before today, deadline days from today, status, severity)
CURRENT = [
    ("河面漂浮垃圾未及时打捞", 21, -4, Status.ACCEPTED, Severity.SERIOUS),
    ("沿河排口晴天出水", 10, 2, Status.ISSUED, Severity.URGENT),
    ("岸坡堆放建筑垃圾", 12, 5, Status.SUBMITTED, Severity.NORMAL),
    ("断头浜水体异味", 15, 7, Status.RETURNED, Severity.SERIOUS),
    ("河长公示牌损坏", 1, 14, Status.ISSUED, Severity.NORMAL),
]


def _current_orders(town, office) -> int:
    today = timezone.localdate()
    year = today.year
    titles = [t for t, *_ in CURRENT]
    have = set(
        Directive.objects.filter(town=town, year__gte=year - 1, title__in=titles).values_list(
            "title", flat=True
        )
    )
    if have:
        return 0
    # The first village (待泾村, demo user c001) gets the orders to act on from the phone.
    targets = [t for t in _targets(town) if t[3].user.username == "c001"] or _targets(town)
    if not targets:
        return 0
    directives, plans = [], []
    for n, (title, ago, days, status, severity) in enumerate(CURRENT):
        river, reach, village, chief = targets[n % len(targets)]
        issued = today - timedelta(days=ago)
        deadline = today + timedelta(days=days)
        serial = _next_serial(town=town, year=issued.year)
        d = Directive(
            town=town,
            year=issued.year,
            serial=serial,
            number=format_number(town=town, year=issued.year, serial=serial),
            title=title,
            description=f"{river.name}{title}，请村河长组织整改。",
            requirement="请在期限内完成整改，并上传整改前后照片。",
            river=river,
            reach=reach,
            source=[Source.PHONE_REPORT, Source.PATROL_FINDING, Source.PUBLIC_REPORT][n % 3],
            source_ref="镇河长办值班电话" if n % 3 == 0 else "",
            severity=severity,
            target_village=village,
            target_chief=chief,
            issued_by=office,
            issued_on=issued,
            original_deadline=deadline,
            deadline=deadline,
            status=status,
            accepted_at=_at(issued + timedelta(days=1)) if status != Status.ISSUED else None,
            created_at=_at(issued, 9),
        )
        directives.append(d)
        plans.append((issued, status, chief.user))
    bulk_create_with_history(directives, Directive, default_user=office)
    saved = {
        d.title: d
        for d in Directive.objects.filter(town=town, title__in=titles, year__gte=year - 1)
    }
    events, rectifications = [], []
    for (title, *_), (issued, status, chief_user) in zip(CURRENT, plans, strict=True):
        d = saved[title]
        events.append(
            Event(
                directive=d,
                kind=Event.Kind.ISSUED,
                actor=office,
                at=_at(issued, 9),
                to_status=Status.ISSUED,
                note=f"整改期限 {d.deadline}",
            )
        )
        if status == Status.ISSUED:
            continue
        events.append(
            Event(
                directive=d,
                kind=Event.Kind.ACCEPTED,
                actor=chief_user,
                at=d.accepted_at,
                from_status=Status.ISSUED,
                to_status=Status.ACCEPTED,
            )
        )
        if status in (Status.SUBMITTED, Status.RETURNED):
            at = _at(issued + timedelta(days=3), 15)
            events.append(
                Event(
                    directive=d,
                    kind=Event.Kind.SUBMITTED,
                    actor=chief_user,
                    at=at,
                    from_status=Status.ACCEPTED,
                    to_status=Status.SUBMITTED,
                    note="已清理完毕。",
                )
            )
            rect = Rectification(
                directive=d, text="已清理完毕。", submitted_by=chief_user, submitted_at=at
            )
            if status == Status.RETURNED:
                back = _at(issued + timedelta(days=5), 10)
                events.append(
                    Event(
                        directive=d,
                        kind=Event.Kind.RETURNED,
                        actor=office,
                        at=back,
                        from_status=Status.SUBMITTED,
                        to_status=Status.RETURNED,
                        note="现场核查仍有异味，请清淤后再反馈。",
                    )
                )
                rect.outcome = Rectification.Outcome.RETURNED
                rect.reviewed_by = office
                rect.reviewed_at = back
                rect.review_note = "现场核查仍有异味，请清淤后再反馈。"
            rectifications.append(rect)
    Event.objects.bulk_create(events)
    Rectification.objects.bulk_create(rectifications)
    return len(directives)

"""Reads shared by the pages, the API, the jobs and other apps (the letters use
:func:`order_counts_for_rivers`)."""

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from statistics import mean

from django.db import connections
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from core.models import User
from directives.models import (
    AWAITING_TARGET,
    OPEN,
    Directive,
    Event,
    ExtensionRequest,
    InspectionRound,
    Rectification,
    Source,
    Status,
    WorkOrder,
    local_day,
)

BOARD_ORDER = [Status.SUBMITTED, Status.RETURNED, Status.ISSUED, Status.ACCEPTED, Status.CLOSED]


def _snapshot_moment(at: datetime | date | None) -> datetime:
    """The moment records are read at: ``at`` itself, the end of a given local day, or now."""
    if at is None:
        return timezone.now()
    if isinstance(at, datetime):
        return at
    return datetime.combine(at + timedelta(days=1), time(), tzinfo=timezone.get_current_timezone())


def orders_as_at(*, at: datetime | date | None = None) -> QuerySet[Directive]:
    """Every order as the records stood at ``at``, annotated ``open_then`` and ``overdue_then``.

    An order issued after ``at`` is left out (issued on a later day, or on ``at``'s day but
    created after it); one closed after ``at`` was still open then; one whose rectification was
    awaiting review at ``at`` was not owed by the target then; a deadline extended after ``at``
    still had its earlier date then. "Overdue" compares that deadline with ``at``'s local day,
    as ``Directive.objects.overdue`` does for now. A ``date`` means the end of that day.
    """
    moment = _snapshot_moment(at)
    day = local_day(at)
    snapshot_day = local_day(moment)
    awaiting_review = Rectification.objects.filter(
        directive=OuterRef("pk"), submitted_at__lt=moment
    ).filter(Q(reviewed_at__isnull=True) | Q(reviewed_at__gte=moment))
    granted = ExtensionRequest.objects.filter(
        directive=OuterRef("pk"), decision=ExtensionRequest.Decision.GRANTED
    )
    granted_before = granted.filter(decided_at__lt=moment).order_by("-decided_at", "-id")
    deadline_then = Coalesce(
        Subquery(granted_before.values("requested_deadline")[:1]),
        Case(
            When(Exists(granted.filter(decided_at__gte=moment)), then=F("original_deadline")),
            default=F("deadline"),
        ),
    )
    open_then = Q(status__in=OPEN) | Q(status=Status.CLOSED, closed_at__gte=moment)
    return (
        Directive.objects.filter(
            Q(issued_on__lt=snapshot_day) | Q(issued_on=snapshot_day, created_at__lt=moment)
        )
        .annotate(
            deadline_then=deadline_then,
            awaiting_review_then=Exists(awaiting_review),
            open_then=Case(When(open_then, then=Value(True)), default=Value(False)),
        )
        .annotate(
            overdue_then=Case(
                When(
                    open_then & Q(awaiting_review_then=False, deadline_then__lt=day),
                    then=Value(True),
                ),
                default=Value(False),
            )
        )
    )


def order_counts_by_reach(
    *, river_ids, at: datetime | date | None = None
) -> dict[tuple[int, int | None, int], dict[str, int]]:
    """``{(river_id, reach_id, town_id): {"open": n, "overdue": m}}`` as the records stood at
    ``at`` (see :func:`orders_as_at`), in one query; keys without an open order are absent.

    The letters sum these per chief: the orders of their own town on their rivers, and on a
    border river's reach they answer for, the orders of either town on that reach.
    """
    river_ids = list(river_ids)
    if not river_ids:
        return {}
    rows = (
        orders_as_at(at=at)
        .filter(river_id__in=river_ids, open_then=True)
        .values("river_id", "reach_id", "town_id")
        .annotate(open=Count("id"), overdue=Count("id", filter=Q(overdue_then=True)))
        .order_by()
    )
    return {
        (row["river_id"], row["reach_id"], row["town_id"]): {
            "open": row["open"],
            "overdue": row["overdue"],
        }
        for row in rows
    }


def order_counts_for_rivers(
    *, river_ids, at: datetime | date | None = None
) -> dict[int, dict[str, int]]:
    """{river_id: {"open": n, "overdue": m}} for the given rivers as the records stood at
    ``at`` (see :func:`orders_as_at`), in one query.

    Every id asked for is in the answer (zeros where a river has no order).
    """
    river_ids = list(river_ids)
    result = {pk: {"open": 0, "overdue": 0} for pk in river_ids}
    for (river_id, _reach, _town), counts in order_counts_by_reach(
        river_ids=river_ids, at=at
    ).items():
        result[river_id]["open"] += counts["open"]
        result[river_id]["overdue"] += counts["overdue"]
    return result


def _chief_orders(*, user: User, include_closed: bool = False) -> QuerySet[Directive]:
    from core.scoping import scope_code

    qs = Directive.objects.for_chief(user)
    # A village chief's orders (to them or their village) all lie inside what they may see:
    # filtering on both made PostgreSQL expect 2 rows and join hundreds by nested loops.
    if user.role != User.Role.VILLAGE_CHIEF or scope_code(user) is None:
        qs = qs.visible_to(user)
    if not include_closed:
        qs = qs.open()
    return qs


def orders_for_chief(*, user: User, include_closed: bool = False) -> QuerySet[Directive]:
    """Orders a chief has to act on, most urgent first (deadline, then number)."""
    qs = _chief_orders(user=user, include_closed=include_closed)
    # The reason of the latest return, shown on the phone next to a returned order.
    last_return = Event.objects.filter(directive=OuterRef("pk"), kind=Event.Kind.RETURNED).order_by(
        "-at", "-id"
    )
    return (
        qs.select_related("river", "reach", "target_village", "target_chief__user")
        .defer("river__geometry")  # the phone pages name the river, they draw no course
        .annotate(return_reason=Subquery(last_return.values("note")[:1]))
        .order_by("deadline", "serial")
    )


def urgent_orders_for_chief(*, user: User, limit: int = 3, at=None) -> list[Directive]:
    """The first ``limit`` orders the chief still owes (:func:`orders_for_chief`'s order, the
    submitted ones left out), with what a home card prints (title, river, deadline, status)
    and ``overdue`` set: not the order page's five joins nor the reason of the last return
    looked up for each of the chief's owed orders."""
    day = local_day(at)
    orders = list(
        _chief_orders(user=user)
        .filter(status__in=AWAITING_TARGET)
        .select_related("river")
        .only("pk", "title", "deadline", "status", "river__name")
        .order_by("deadline", "serial")[:limit]
    )
    for order in orders:
        order.overdue = order.is_overdue(day)
    return orders


# What a chief's phone list prints of an order, and no more, as named tuples: the orders read
# as models (every column of the order, its river, reach, village, chief and user) cost most
# of the page.
CHIEF_CARD_FIELDS = (
    "pk",
    "number",
    "title",
    "status",
    "deadline",
    "closed_at",
    "location",
    "river__name",
    "reach__name",
    "return_reason",
)


def chief_order_cards(*, user: User, limit: int = 200) -> list:
    """The first ``limit`` of :func:`orders_for_chief` (closed ones included) as named tuples
    of :data:`CHIEF_CARD_FIELDS`, in its order; ``return_reason`` is read for the returned
    orders only (the others show none), not looked up for every row."""
    last_return = Event.objects.filter(directive=OuterRef("pk"), kind=Event.Kind.RETURNED).order_by(
        "-at", "-id"
    )
    reason = Case(When(status=Status.RETURNED, then=Subquery(last_return.values("note")[:1])))
    return list(
        _chief_orders(user=user, include_closed=True)
        .annotate(return_reason=reason)
        .order_by("deadline", "serial")
        .values_list(*CHIEF_CARD_FIELDS, named=True)[:limit]
    )


def chief_order_counts(*, user: User, at=None) -> dict[str, int]:
    """How many of :func:`orders_for_chief` are to act on (``todo``), of those past their
    deadline (``overdue``), and waiting for the office's check (``submitted``): one query,
    not the chief's hundreds of orders read to count them."""
    day = local_day(at)
    return _chief_orders(user=user).aggregate(
        todo=Count("id", filter=Q(status__in=AWAITING_TARGET)),
        overdue=Count("id", filter=Q(status__in=AWAITING_TARGET, deadline__lt=day)),
        submitted=Count("id", filter=Q(status=Status.SUBMITTED)),
    )


def directives_for(
    *, user: User, filters: dict | None = None, strict: bool = False
) -> QuerySet[Directive]:
    """The orders a user may see, filtered (status, source, village, year, river, q, overdue,
    modified_since), with what a list needs joined in. Shared by the board and the API.

    ``strict``: an invalid filter value raises ValidationError (the API answers 400) instead
    of being ignored (the board).
    """
    from django.core.exceptions import ValidationError

    from directives.filters import DirectiveFilter

    qs = Directive.objects.visible_to(user).select_related(
        "town", "river", "reach", "target_village", "target_chief__user", "issued_by"
    )
    if filters:
        filterset = DirectiveFilter(filters, queryset=qs)
        if strict and not filterset.is_valid():
            raise ValidationError(
                {field: [str(m) for m in msgs] for field, msgs in filterset.errors.items()}
            )
        qs = filterset.qs
    return qs


# The board shows each column's first orders and its count; filtered on one status, that
# column is read page by page. Rendering every open order of a town (thousands at district
# scale) cost seconds; a page costs what a small town's board does.
BOARD_COLUMN_SIZE = 20
BOARD_PAGE_SIZE = 50
# What a card shows, and no more, as named tuples (``overdue``: 0 when past its deadline and
# still with the target): planning and reading nine joined tables with every column (the
# river's course among them), then building four models a card, cost more than the page.
BOARD_CARD_FIELDS = (
    "pk",
    "number",
    "title",
    "status",
    "severity",
    "deadline",
    "closed_at",
    "serial",
    "river__name",
    "reach__name",
    "target_village__name",
    "target_chief__user__last_name",
    "target_chief__user__first_name",
    "target_chief__user__username",
    "late",
)


def board_for(
    *, user: User, filters: dict | None = None, at=None, page: int = 1
) -> tuple[list[dict], dict | None]:
    """The office board: one column per status, overdue first, then by deadline; the closed
    column newest first.

    Returns ``(columns, paging)``. Each column holds ``count`` (every order of that status
    under the filters) and ``orders`` (the first :data:`BOARD_COLUMN_SIZE`, named tuples of
    :data:`BOARD_CARD_FIELDS`). Filtered on one
    status, that column holds page ``page`` of :data:`BOARD_PAGE_SIZE` orders and ``paging``
    says where it stands (``number``, ``pages``, ``previous``, ``next``), else None. A constant
    number of queries (one count by status, one page per status that has orders) whatever
    the number of orders.
    """
    columns, paging, _summary = board_page(user=user, filters=filters, at=at, page=page)
    return columns, paging


def board_page(
    *, user: User, filters: dict | None = None, at=None, page: int = 1
) -> tuple[list[dict], dict | None, dict[str, int]]:
    """:func:`board_for` and the tiles above it (:func:`board_summary`, over every order the
    user may see): ``(columns, paging, summary)``. Two queries when no filter but the status
    is set: one count by status over every order the user may see gives both the tiles and
    the columns' counts, and one query reads every column's cards."""
    from django.conf import settings

    from directives.filters import DirectiveFilter

    filters = filters or {}
    day = local_day(at)
    soon = day + timedelta(days=settings.DIRECTIVES_DUE_SOON_DAYS)
    filtered = directives_for(user=user, filters=filters)
    chosen = filters.get("status")
    if any(filters.get(name) for name in DirectiveFilter.base_filters if name != "status"):
        counts = _counts_by_status(filtered, day=day, soon=soon)
        summary = board_summary(user=user, at=at)
    else:
        # The tiles count every order the user may see, by status; a valid status filter
        # (an invalid one is ignored, as the filter set does) leaves only its own column.
        # One count where the board with a status filter used to count the same orders twice.
        counts = _counts_by_status(Directive.objects.visible_to(user), day=day, soon=soon)
        summary = {
            "open": sum(counts[s]["n"] for s in OPEN if s in counts),
            "overdue": sum(row["overdue"] for row in counts.values()),
            "due_soon": sum(row["due_soon"] for row in counts.values()),
            "to_verify": counts.get(Status.SUBMITTED, {}).get("n", 0),
            "closed": counts.get(Status.CLOSED, {}).get("n", 0),
        }
        if chosen in Status.values:
            counts = {s: row for s, row in counts.items() if s == chosen}
    one_status = chosen if chosen in counts else None
    paging = None
    columns = []
    parts = []  # (status, ids of the column's page, ordered)
    for status in BOARD_ORDER:
        count = counts.get(status, {}).get("n", 0)
        if count:
            start, size = 0, BOARD_COLUMN_SIZE
            if status == one_status:
                pages = max(1, -(-count // BOARD_PAGE_SIZE))
                number = min(max(page, 1), pages)
                start, size = (number - 1) * BOARD_PAGE_SIZE, BOARD_PAGE_SIZE
                paging = {
                    "number": number,
                    "pages": pages,
                    "previous": number - 1 if number > 1 else None,
                    "next": number + 1 if number < pages else None,
                }
            column = filtered.select_related(None).filter(status=status)
            ids = column.order_by(*_board_ordering(status)).values("pk")[start : start + size]
            parts.append(ids)
        columns.append(
            {"status": status, "label": Status(status).label, "orders": [], "count": count}
        )
    by_status = {column["status"]: column for column in columns}
    for card in _board_cards(parts, day=day):
        by_status[card.status]["orders"].append(card)
    for column in columns:
        column["orders"].sort(**_board_sort(column["status"]))
    return columns, paging, summary


def _counts_by_status(orders: QuerySet[Directive], *, day: date, soon: date) -> dict:
    """``{status: {"n", "overdue", "due_soon"}}`` of ``orders``: one query, an index-only scan
    of (town, status, deadline, ...) for a town's orders on PostgreSQL (``directives/0005``)."""
    rows = (
        orders.select_related(None)
        .order_by()
        .values("status")
        .annotate(
            n=Count("id"),
            overdue=Count("id", filter=Q(status__in=AWAITING_TARGET, deadline__lt=day)),
            due_soon=Count(
                "id",
                filter=Q(status__in=AWAITING_TARGET, deadline__gte=day, deadline__lte=soon),
            ),
        )
    )
    return {row["status"]: row for row in rows}


def _board_ordering(status: str) -> tuple:
    """A column's order: the closed newest first; the others overdue first, then by deadline,
    which is the deadline's own order (an order is overdue exactly when its deadline is past),
    so a town's column is read in the order of its index (town, status, deadline, serial, id).
    """
    if status == Status.CLOSED:
        # PostgreSQL's own descending order, said so that SQLite's is the same.
        return (F("closed_at").desc(nulls_first=True), "-serial", "-pk")
    return ("deadline", "serial", "pk")


_EARLIEST = datetime.min.replace(tzinfo=UTC)


def _board_sort(status: str) -> dict:
    """``list.sort`` arguments giving :func:`_board_ordering` (the orders closed at no
    recorded time first)."""
    if status == Status.CLOSED:
        return {
            "key": lambda d: (d.closed_at is None, d.closed_at or _EARLIEST, d.serial, d.pk),
            "reverse": True,
        }
    return {"key": lambda d: (d.deadline, d.serial, d.pk)}


def _board_cards(parts: list[QuerySet], *, day: date) -> list:
    """The cards of the columns' pages (``parts``: each a sliced queryset of ids), as named
    tuples of :data:`BOARD_CARD_FIELDS`, in no particular order.

    One query where the database takes a LIMIT in each part of a UNION (PostgreSQL): the
    ids of every column's page found on the orders alone (by index), then only those cards
    joined to their river, reach, village and chief. Planning and compiling five joined
    queries, one a column, cost more than reading them. Elsewhere (SQLite) one a column.
    """
    if not parts:
        return []
    late = Case(
        When(status__in=AWAITING_TARGET, deadline__lt=day, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    cards = Directive.objects.annotate(late=late).order_by()
    features = connections[cards.db].features
    if len(parts) == 1 or not features.supports_slicing_ordering_in_compound:
        groups = [[ids] for ids in parts]
    else:
        groups = [parts]
    out = []
    for group in groups:
        ids = group[0] if len(group) == 1 else group[0].union(*group[1:], all=True)
        out += cards.filter(pk__in=ids).values_list(*BOARD_CARD_FIELDS, named=True)
    return out


def board_summary(*, user: User, at=None) -> dict[str, int]:
    from django.conf import settings

    day = local_day(at)
    qs = Directive.objects.visible_to(user)
    soon = day + timedelta(days=settings.DIRECTIVES_DUE_SOON_DAYS)
    return qs.aggregate(
        open=Count("id", filter=Q(status__in=OPEN)),
        overdue=Count("id", filter=Q(status__in=AWAITING_TARGET, deadline__lt=day)),
        due_soon=Count(
            "id",
            filter=Q(
                status__in=AWAITING_TARGET,
                deadline__gte=day,
                deadline__lte=soon,
            ),
        ),
        to_verify=Count("id", filter=Q(status=Status.SUBMITTED)),
        closed=Count("id", filter=Q(status=Status.CLOSED)),
    )


def directive_detail(*, user: User, pk: int) -> Directive:
    """One order the user may see, with its timeline, evidence and extensions loaded."""
    return (
        Directive.objects.visible_to(user)
        .select_related(
            "town",
            "river",
            "reach",
            "target_village",
            "target_chief__user",
            "issued_by",
            "work_order__inspection_round",
            "finding__river",
        )
        .prefetch_related(
            Prefetch("events", queryset=Event.objects.select_related("actor")),
            Prefetch(
                "rectifications",
                queryset=Rectification.objects.select_related(
                    "submitted_by", "reviewed_by"
                ).prefetch_related("attachments"),
            ),
            "attachments",
            "extensions__requested_by",
            "extensions__decided_by",
        )
        .get(pk=pk)
    )


def timeline_for(*, directive: Directive) -> QuerySet[Event]:
    return directive.events.select_related("actor").order_by("at", "id")


def yearly_statistics(*, user: User, year: int) -> dict:
    """Issued, rectified, on time, average days to rectify; by source and by village.

    Rectified means closed after verification; on time compares the day the accepted
    rectification was submitted with the (possibly extended) deadline.
    """
    # The columns the figures read, as named tuples: a town's year of orders built as models
    # (each with its village, chief and the chief's region) was most of the page's time. The
    # model's own rules read them (``rectified_on_time``, ``days_to_rectify`` take any object
    # with the order's fields).
    rows = list(
        Directive.objects.visible_to(user)
        .filter(year=year)
        .values_list(
            "source",
            "status",
            "issued_on",
            "deadline",
            "rectified_at",
            "target_village_id",
            "target_village__name",
            "target_chief__region__name",
            named=True,
        )
    )
    on_time, days = Directive.rectified_on_time, Directive.days_to_rectify

    def summarise(items):
        rectified = [d for d in items if d.status == Status.CLOSED and d.rectified_at]
        return {
            "issued": len(items),
            "rectified": len(rectified),
            "on_time": sum(1 for d in rectified if on_time(d)),
            "open": sum(1 for d in items if d.status in OPEN),
            "average_days": round(mean(days(d) for d in rectified), 1) if rectified else None,
        }

    by_source = defaultdict(list)
    by_village = defaultdict(list)
    for d in rows:
        by_source[d.source].append(d)
        # The order's village, else its chief's region (a town chief's orders).
        village = (
            d.target_village__name
            if d.target_village_id is not None
            else d.target_chief__region__name
        )
        by_village[village if village is not None else "—"].append(d)
    rounds = InspectionRound.objects.visible_to(user).filter(start_date__year=year)
    work_orders = WorkOrder.objects.filter(inspection_round__in=rounds)
    if user.role == User.Role.VILLAGE_CHIEF and not user.is_superuser:
        # Every figure on the page in the same scope as the orders: a village chief's counts
        # are their village's, so the town's work orders count only on rivers they can see.
        from rivers.models import River

        work_orders = work_orders.filter(river__in=River.objects.visible_to(user))
        rounds = rounds.filter(pk__in=work_orders.values("inspection_round"))
    work_orders = work_orders.aggregate(
        total=Count("id"), answered=Count("id", filter=Q(status=WorkOrder.Status.ANSWERED))
    )
    return {
        "year": year,
        "total": summarise(rows),
        "by_source": [
            {"source": s, "label": Source(s).label, **summarise(by_source[s])}
            for s in Source.values
            if by_source.get(s)
        ],
        "by_village": [
            {"village": name, **summarise(items)} for name, items in sorted(by_village.items())
        ],
        "inspection_rounds": rounds.count(),
        "work_orders": work_orders["total"],
        "work_orders_answered": work_orders["answered"],
    }


def years_with_orders(*, user: User) -> list[int]:
    return list(
        Directive.objects.visible_to(user)
        .values_list("year", flat=True)
        .distinct()
        .order_by("-year")
    )


def inspection_rounds_for(*, user: User) -> QuerySet[InspectionRound]:
    return (
        InspectionRound.objects.visible_to(user)
        .select_related("town")
        .annotate(
            n_orders=Count("work_orders", distinct=True),
            n_answered=Count(
                "work_orders",
                filter=Q(work_orders__status=WorkOrder.Status.ANSWERED),
                distinct=True,
            ),
        )
        .prefetch_related("rivers")
        # Meta.ordering is dropped from a GROUP BY query: the page's order is said here.
        .order_by("-start_date", "-id")
    )


def work_orders_for(*, user: User) -> QuerySet[WorkOrder]:
    return (
        WorkOrder.objects.visible_to(user)
        .select_related("inspection_round__town", "river")
        .prefetch_related("replies__replied_by", "directives")
    )

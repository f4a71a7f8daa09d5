"""Reads of the registry shared by the pages, the API and the jobs.

Every read starts from ``visible_to(user)``, so the pages and the API cannot disagree on who
sees what.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.core.paginator import Page, Paginator
from django.db import connections, router
from django.db.models import (
    Count,
    Exists,
    F,
    FilteredRelation,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber
from django.shortcuts import get_object_or_404
from django.utils import timezone

from core.choices import ChiefLevel
from core.lookups import IdArray
from core.models import Region, User
from core.page_map import remembered
from core.rows import display_name, name_columns
from core.scoping import InSubquery
from rivers.filters import ChiefFilter, RiverFilter
from rivers.models import Chief, ChiefAssignment, Reach, River, in_force_q

# From the top down; a river of one level also has chiefs at every level below it (a
# town-level river has a town chief and, for each village it crosses, a village chief).
LEVEL_ORDER = [ChiefLevel.DISTRICT, ChiefLevel.TOWN, ChiefLevel.VILLAGE]


def required_levels(river_level: str) -> list[str]:
    """The chief levels a river of ``river_level`` needs (its own and each one below)."""
    return LEVEL_ORDER[LEVEL_ORDER.index(river_level) :]


def visible_rivers(user: User) -> QuerySet[River]:
    return River.objects.visible_to(user).select_related("region")


def crossing_ids(river_ids: list[int]) -> dict[int, list[int]]:
    """The ids of the regions each river crosses, in code order: one plain query for a page.

    A ``prefetch_related`` of the regions builds a manager, a filtered queryset and a Region
    per crossing, which cost a list page more than its SQL; a list row only needs the ids.
    """
    by_river: dict[int, list[int]] = {pk: [] for pk in river_ids}
    if by_river:
        through = River.regions.through
        sql = (
            f"SELECT t.river_id, t.region_id FROM {through._meta.db_table} t "
            f"JOIN {Region._meta.db_table} g ON g.id = t.region_id "
            f"WHERE t.river_id IN ({', '.join(['%s'] * len(by_river))}) ORDER BY g.code, g.id"
        )
        with connections[router.db_for_read(through)].cursor() as cursor:
            cursor.execute(sql, list(by_river))
            for river_id, region_id in cursor.fetchall():
                by_river[river_id].append(region_id)
    return by_river


def base_map(user: User) -> dict:
    """The rivers the user may see, as a GeoJSON FeatureCollection: the base layer of every map
    when no tile server is configured (settings.MAP_TILE_URL), so a map asks nothing outside
    the machine. One query; only rivers with a registered course."""
    rows = (
        River.objects.visible_to(user)
        .filter(is_active=True, geometry__isnull=False)
        .order_by("code")
        .values_list("code", "name", "level", "geometry")
    )
    features = [
        {
            "type": "Feature",
            "geometry": geometry,
            "properties": {"code": code, "name": name, "level": level, "kind": "river"},
        }
        for code, name, level, geometry in rows
        if isinstance(geometry, dict) and geometry.get("type") and geometry.get("coordinates")
    ]
    return {"type": "FeatureCollection", "features": features}


def _villages_prefetch() -> Prefetch:
    return Prefetch(
        "regions",
        queryset=Region.objects.filter(kind=Region.Kind.VILLAGE).order_by("code"),
        to_attr="village_list",
    )


# The columns a registry row prints (rivers/river_list.html), as dicts.
REGISTRY_ROW = (
    "pk",
    "code",
    "name",
    "level",
    "length_km",
    "target_class",
    "is_active",
    "region_id",
)


def river_list(*, user: User, data=None) -> tuple[RiverFilter, QuerySet]:
    """The filtered registry for the list page: (filterset, rows of :data:`REGISTRY_ROW` and
    the owner's ``region_name``).

    Plain rows, not models: a page of rivers read with their courses, regions, crossed
    villages and today's chiefs as models (about 300 instances of five models) was most of
    the page's time. :func:`registry_rows` adds the villages and chiefs of one page.
    """
    filterset = RiverFilter(data or None, queryset=visible_rivers(user), request=_Req(user))
    return filterset, filterset.qs.values(*REGISTRY_ROW, region_name=F("region__name"))


def river_page(rivers: QuerySet, number, *, size: int) -> Page:
    """Page ``number`` of :func:`river_list`'s ``rivers`` (Django's ``Paginator.get_page``: a
    number that is not one gives the first page, one past the end the last).

    The ids of the whole (filtered) list, in its order, are remembered while the registry is
    unchanged (:func:`core.page_map.remembered`: scope and filters are part of the key, and
    any write to the rivers, their crossings or the regions drops it); the page then reads its
    rows by id. Counting the list and finding a page's rows looked up a town's 2,525 rivers on
    every request (13 ms of the registry page's SQL on bench_big, the first page as the 40th).
    """
    ids = rivers.values_list("pk", flat=True)

    def page_of(all_ids: list[int]) -> Page:
        page = Paginator(all_ids, size).get_page(number)
        wanted = list(page.object_list)
        # By id alone: the ids are the scope's and the filter's already.
        found = {
            row["pk"]: row
            for row in River.objects.filter(pk__any=IdArray(wanted))
            .order_by()
            .values(*REGISTRY_ROW, region_name=F("region__name"))
        }
        page.object_list = [found[pk] for pk in wanted if pk in found]
        return page

    return remembered("registry-ids", [ids], lambda: list(ids), read=page_of)


def registry_rows(rivers: list[dict], *, on: date | None = None) -> list[dict]:
    """Adds to each row of :func:`river_list` ``villages`` (the names of the villages it
    crosses, in code order) and ``chiefs`` (the names of its chiefs on ``on``, today by
    default: by level, the newest first): two queries for a page, whatever its rivers."""
    by_id = {row["pk"]: row for row in rivers}
    for row in rivers:
        row["villages"], row["chiefs"] = [], []
    if not by_id:
        return rivers
    ids = IdArray(by_id)
    crossed = (
        River.regions.through.objects.filter(river_id__any=ids, region__kind=Region.Kind.VILLAGE)
        .order_by("region__code")
        .values_list("river_id", "region__name")
    )
    for river_id, name in crossed:
        by_id[river_id]["villages"].append(name)
    # The order of River.with_current_chiefs (the assignments' own: river, level, newest
    # first), the id last so that two chiefs starting the same day keep one order.
    chiefs = (
        ChiefAssignment.objects.current(on=on)
        .filter(river_id__any=ids)
        .order_by("river_id", "level", "-start_date", "-pk")
        .values_list("river_id", *name_columns("chief__user"))
    )
    for river_id, last_name, first_name, username in chiefs:
        by_id[river_id]["chiefs"].append(display_name(last_name, first_name, username))
    return rivers


class _Req:
    """The little of a request a FilterSet needs to scope its choices (used outside views)."""

    def __init__(self, user: User):
        self.user = user


def river_detail(*, user: User, pk: int) -> River:
    queryset = River.objects.visible_to(user, by_id=True).select_related("region")
    queryset = queryset.prefetch_related(
        _villages_prefetch(),
        Prefetch("reaches", queryset=Reach.objects.select_related("village")),
        Prefetch(
            "assignments",
            queryset=ChiefAssignment.objects.select_related("chief__user", "reach").order_by(
                "reach__position", "level", "-start_date"
            ),
            to_attr="all_assignments",
        ),
        "sluice_gates",
    )
    return get_object_or_404(queryset, pk=pk)


@dataclass(frozen=True)
class Vacancy:
    river: River
    reach: Reach | None
    level: str

    @property
    def level_label(self) -> str:
        return ChiefLevel(self.level).label


def vacancies_of(
    river: River, reaches: list[Reach], assignments: list[ChiefAssignment], *, on: date
) -> list[Vacancy]:
    """Where ``river`` lacks a responsible chief on ``on``: (reach or whole river, level).

    A whole-river assignment covers all its reaches; without reaches the river itself needs a
    chief at each required level. Pure over the rows given, so one query serves a whole list.
    """
    covered = {
        (a.reach_id, a.level)
        for a in assignments
        if a.duty == ChiefAssignment.Duty.RESPONSIBLE and a.covers(on)
    }
    return _vacancies(river, reaches, covered)


def _vacancies(river: River, reaches: list[Reach], covered: set[tuple]) -> list[Vacancy]:
    """:func:`vacancies_of` given the (reach id or None, level) pairs already covered."""
    found = []
    for level in required_levels(river.level):
        if (None, level) in covered:
            continue
        if not reaches:
            found.append(Vacancy(river, None, level))
            continue
        found += [Vacancy(river, r, level) for r in reaches if (r.pk, level) not in covered]
    return found


def vacancies_for(
    *, user: User, on: date | None = None, data=None, filterset: RiverFilter | None = None
) -> list[Vacancy]:
    """Every vacancy in the user's (filtered) registry, in registry order: two queries.

    The database leaves out the rivers with nothing vacant, the usual case: no reach, and a
    responsible chief in force for the whole river at each level it needs (an ``EXISTS`` per
    level, looked up in the assignments' index on the river). The rivers left are read as
    plain rows beside their responsible chiefs' (reach, level) in one left join, then their
    reaches. A town's 2,525 rivers were all sent to Python with their chiefs to find the few
    vacant ones, and their reaches asked for by 2,525 ids.

    ``filterset``: the page's own :func:`river_list` filter (built for ``user`` and its
    ``data``), when it has one already, rather than a second one.
    """
    on = on or timezone.localdate()
    if filterset is None:
        filterset = RiverFilter(data or None, queryset=visible_rivers(user), request=_Req(user))
    # Remembered for the scope, the filters and the day while no river, crossing, region,
    # assignment or reach changes (core.page_map.remembered): a town's vacancies are the same
    # list all day, and finding them looks up its 2,525 rivers (15 ms of SQL on bench_big).
    # The key is the registry's own query (scope and filters), so a request that finds the
    # list remembered builds and compiles no more than that.
    rivers = filterset.qs.select_related(None)
    return remembered(
        "vacancies",
        [rivers.values_list("pk")],
        lambda: _vacancies_in(rivers, on=on),
        key=(on,),
        models=[ChiefAssignment, Reach, Region],
    )


def _vacancies_in(registry: QuerySet[River], *, on: date) -> list[Vacancy]:
    """:func:`vacancies_for`'s list for the rivers of ``registry``: two queries."""
    responsible = FilteredRelation(
        "assignments",
        condition=Q(assignments__duty=ChiefAssignment.Duty.RESPONSIBLE)
        & in_force_q(on, "assignments__"),
    )
    rows = (
        registry.exclude(_wholly_covered(on))
        .annotate(responsible=responsible)
        .values_list("pk", "code", "name", "level", "responsible__reach_id", "responsible__level")
    )
    rivers: dict[int, tuple] = {}
    covered: dict[int, set[tuple]] = defaultdict(set)
    for pk, code, name, level, reach_id, chief_level in rows:
        rivers[pk] = (code, name, level)
        if chief_level is not None:
            covered[pk].add((reach_id, chief_level))
    reaches: dict[int, list[Reach]] = defaultdict(list)
    if rivers:
        for reach in (
            Reach.objects.filter(river_id__any=IdArray(rivers))
            .select_related("village")
            .order_by("position")
        ):
            reaches[reach.river_id].append(reach)
    found = []
    for pk, (code, name, level) in rivers.items():
        river = River(pk=pk, code=code, name=name, level=level)
        found += _vacancies(river, reaches[pk], covered[pk])
    return found


def _wholly_covered(on: date) -> Q:
    """Rivers without reaches whose every required level (:func:`required_levels`) has a
    responsible chief in force on ``on`` for the whole river: those :func:`_vacancies` finds
    nothing on."""

    def covered(level: str) -> Exists:
        return Exists(
            ChiefAssignment.objects.filter(
                in_force_q(on),
                river=OuterRef("pk"),
                level=level,
                reach__isnull=True,
                duty=ChiefAssignment.Duty.RESPONSIBLE,
            )
        )

    wholly = ~Exists(Reach.objects.filter(river=OuterRef("pk")))
    for i, level in enumerate(LEVEL_ORDER):
        needing = LEVEL_ORDER[: i + 1]  # the river levels that need a chief at this level
        if len(needing) == len(LEVEL_ORDER):
            wholly &= Q(covered(level))
        else:
            wholly &= ~Q(level__in=needing) | covered(level)
    return wholly


# Rank within the hierarchy (河长制 lists leaders first): level, then title.
LEVEL_RANK = {ChiefLevel.DISTRICT: 0, ChiefLevel.TOWN: 1, ChiefLevel.VILLAGE: 2}
TITLE_RANK = {
    Chief.Title.FIRST_CHIEF: 0,
    Chief.Title.GENERAL_CHIEF: 1,
    Chief.Title.DEPUTY_GENERAL_CHIEF: 2,
    Chief.Title.CHIEF: 3,
    Chief.Title.DEPUTY_CHIEF: 4,
}


def pinyin_key(name: str) -> tuple[str, ...]:
    """The sort key of a Chinese name by its pinyin (陈 < 李 < 王 < 张), as lists are read."""
    from pypinyin import Style, lazy_pinyin

    return tuple(lazy_pinyin(name, style=Style.TONE3, errors="default"))


def in_rank_order(chiefs) -> list[Chief]:
    """Chiefs by rank (level, then title), then by the pinyin of their names."""

    def key(chief: Chief):
        name = f"{chief.user.last_name}{chief.user.first_name}".strip() or chief.user.username
        return (
            LEVEL_RANK.get(chief.level, 9),
            TITLE_RANK.get(chief.title, 9),
            pinyin_key(name),
            chief.pk,
        )

    return sorted(chiefs, key=key)


# The chief directory shows this many of a chief's current rivers, then "and n more": a
# village chief of a large district answers for hundreds.
CHIEF_RIVERS_SHOWN = 8


def chiefs_for(*, user: User, data=None) -> tuple[ChiefFilter, QuerySet[Chief]]:
    """The (filtered) chief directory, each chief with ``river_count`` (current assignments)."""
    filterset = ChiefFilter(
        data or None,
        queryset=Chief.objects.visible_to(user).select_related("user", "region"),
        request=_Req(user),
    )
    current = ChiefAssignment.objects.current().filter(chief=OuterRef("pk"))
    count = current.order_by().values("chief").annotate(n=Count("pk")).values("n")
    chiefs = filterset.qs.annotate(river_count=Coalesce(Subquery(count), 0))
    return filterset, chiefs


def ranked_chiefs(chiefs: QuerySet[Chief]) -> list[Chief]:
    """:func:`chiefs_for`'s ``chiefs`` in rank order (:func:`in_rank_order`), each with its
    first rivers (:func:`with_first_rivers`): shared by every request for the same scope,
    filters and day while no chief, user, region, assignment, river or reach changes
    (:func:`core.page_map.remembered`), so a caller must not change them (the directory
    dresses copies). Ranking by pinyin and the first rivers were most of the directory's
    time, the same for every page of a town all day."""
    return remembered(
        "ranked-chiefs",
        [chiefs],
        lambda: with_first_rivers(in_rank_order(chiefs)),
        key=(timezone.localdate(),),
        models=[ChiefAssignment, River, Reach],  # the first rivers'
    )


def with_first_rivers(chiefs: list[Chief]) -> list[Chief]:
    """Sets ``current_assignments`` on the given chiefs, a page of the directory: the first
    :data:`CHIEF_RIVERS_SHOWN` in force, by river code, as dicts of what a row prints
    (``river_id``, ``river_name``, ``reach_name``, ``duty``). One query whatever their number
    of rivers, and no model per assignment or reach.

    The assignments are ranked by the river code stored on each (``river_code``), and only
    the rows shown join their river and reach: ranking by the rivers' own codes read the
    river of every assignment of the page's chiefs (a town's ten chiefs: 2,500 rivers, 7,500
    buffers) to show 80."""
    by_id = {chief.pk: chief for chief in chiefs}
    for chief in chiefs:
        chief.current_assignments = []
    if not by_id:
        return chiefs
    order = (F("river_code").asc(), F("reach__position").asc(), F("pk").asc())
    rank = Window(RowNumber(), partition_by=F("chief_id"), order_by=order)
    first = (
        ChiefAssignment.objects.current()
        .filter(chief_id__any=IdArray(by_id))
        .annotate(rank=rank)
        .filter(rank__lte=CHIEF_RIVERS_SHOWN)
        .order_by()
        .values("pk")
    )
    shown = (
        # = ANY(ARRAY(...)) on PostgreSQL: the 80 ids first, then each row by its key (as an
        # IN, the planner expected thousands and scanned all 56,800 assignments).
        ChiefAssignment.objects.filter(InSubquery(F("pk"), Subquery(first)))
        .order_by(*order)
        .values("chief_id", "river_id", "river__name", "reach__name", "duty")
    )
    for row in shown:
        by_id[row["chief_id"]].current_assignments.append(
            {
                "river_id": row["river_id"],
                "river_name": row["river__name"],
                "reach_name": row["reach__name"],
                "duty": row["duty"],
            }
        )
    return chiefs


def chief_detail(*, user: User, pk: int) -> Chief:
    queryset = (
        Chief.objects.visible_to(user)
        .select_related("user", "region", "superior__user")
        .annotate(n_subordinates=Count("subordinates", filter=Q(subordinates__is_active=True)))
    )
    return get_object_or_404(queryset, pk=pk)


def chief_assignments(*, chief: Chief, current: bool, on: date) -> QuerySet[ChiefAssignment]:
    """A chief's assignments in force on ``on`` (``current``), or all the others (ended, or
    not begun yet), newest first, with their rivers (without the course: no map there)."""
    in_force = Q(end_date__isnull=True) | Q(end_date__gte=on), Q(start_date__lte=on)
    rows = ChiefAssignment.objects.filter(chief=chief)
    rows = rows.filter(*in_force) if current else rows.exclude(in_force[0] & in_force[1])
    return (
        rows.select_related("river", "reach")
        .defer("river__geometry")
        .order_by("-start_date", "river__code", "pk")
    )


def assignable_chiefs(*, user: User, level: str | None = None) -> QuerySet[Chief]:
    chiefs = Chief.objects.visible_to(user).active().select_related("user", "region")
    return chiefs.filter(level=level) if level else chiefs


@dataclass
class LevelSlot:
    level: str
    responsible: list[ChiefAssignment]
    deputies: list[ChiefAssignment]

    @property
    def label(self) -> str:
        return ChiefLevel(self.level).label

    @property
    def vacant(self) -> bool:
        return not self.responsible


@dataclass
class ChiefRow:
    reach: Reach | None
    slots: list[LevelSlot]


def chief_table(river: River, *, on: date | None = None) -> list[ChiefRow]:
    """Today's chiefs of a river from ``river_detail``'s prefetch: whole river, then each reach.

    A level covered by a whole-river assignment is not repeated as vacant on each reach.
    """
    on = on or timezone.localdate()
    current = [a for a in river.all_assignments if a.covers(on)]
    levels = required_levels(river.level)
    river_wide = {
        level
        for level in levels
        for a in current
        if a.reach_id is None and a.level == level and a.duty == ChiefAssignment.Duty.RESPONSIBLE
    }
    reaches = list(river.reaches.all())

    def slots(reach_id, skip_covered: bool):
        found = []
        for level in levels:
            mine = [a for a in current if a.reach_id == reach_id and a.level == level]
            slot = LevelSlot(
                level,
                [a for a in mine if a.duty == ChiefAssignment.Duty.RESPONSIBLE],
                [a for a in mine if a.duty == ChiefAssignment.Duty.DEPUTY],
            )
            if skip_covered and level in river_wide and not mine:
                continue
            found.append(slot)
        return found

    rows = []
    whole = slots(None, skip_covered=False)
    if not reaches or any(s.responsible or s.deputies for s in whole):
        rows.append(
            ChiefRow(
                None, whole if not reaches else [s for s in whole if not s.vacant or s.deputies]
            )
        )
    for reach in reaches:
        rows.append(ChiefRow(reach, slots(reach.pk, skip_covered=True)))
    return rows


@dataclass
class Change:
    when: object
    who: object
    kind: str
    fields: list[str]


def river_changes(river: River, *, limit: int = 10) -> list[Change]:
    """The river's audit trail, newest first: who changed which fields (simple-history)."""
    records = list(
        river.history.select_related("history_user").order_by("-history_date")[: limit + 1]
    )
    changes = []
    # Each record beside the one before it (None for the oldest read); a river loaded
    # without history (a bulk import) has no record at all.
    for newer, older in zip(records, [*records[1:], None][: len(records)], strict=True):
        if len(changes) == limit:
            break
        fields = []
        if older is not None:
            fields = [
                str(River._meta.get_field(c.field).verbose_name)
                for c in newer.diff_against(older).changes
            ]
        changes.append(
            Change(newer.history_date, newer.history_user, newer.get_history_type_display(), fields)
        )
    return changes


def chief_title(*, user: User) -> str | None:
    """The title (``Chief.Title``) of the user's chief profile, or None: the top bar asks on
    every page. One plain query (the ORM built and compiled the profile's query for ~0.6 ms of
    every chief's page), none when the request already read the profile."""
    profile = Chief._meta.get_field("user").remote_field  # user.chief, once read
    if profile.is_cached(user):
        chief = profile.get_cached_value(user)
        return chief.title if chief is not None else None
    sql = f"SELECT title FROM {Chief._meta.db_table} WHERE user_id = %s"
    with connections[router.db_for_read(Chief)].cursor() as cursor:
        cursor.execute(sql, [user.pk])
        row = cursor.fetchone()
    return row[0] if row else None

"""API pagination: page numbers with cheap counts, and keyset cursors for district systems.

Two ways to read any API list, one response shape ``{count, count_exact, next, previous,
results}``:

- **Page numbers** (``?page=3&page_size=100``), as before, for people and simple clients.
  ``count`` is exact up to ``API_EXACT_COUNT_UP_TO`` rows (the count stops there instead of
  scanning the whole scope: ``COUNT(*)`` over a million patrols costs more than the page);
  past it, PostgreSQL's planner estimate is given and ``count_exact`` is false. A deep page
  reads its ids first (the OFFSET skips bare ids, not joined rows), then those rows.
- **Keyset cursors** (``?cursor=`` to start, then follow ``next``) for district systems: each
  page seeks from the previous page's last row through the ordering's index, so the 1,000th
  page costs what the first does. ``count`` is null. ``?modified_since=<ISO 8601>`` reads the
  rows changed at or after a moment, oldest change first, by the same cursors: a district
  system keeps the ``updated_at`` of the last row it stored and asks again from there.
"""

import base64
import binascii
import json
import time
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import connections
from django.db.models import Q, QuerySet
from django.db.models.query import ModelIterable, NamedValuesListIterable
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from core import page_map

# Past these, ``?modified_since=`` overflows a time-zone conversion: it answers 400 instead
# (a sync client's "everything" is 1970 or later).
MIN_YEAR, MAX_YEAR = 1900, 9000


# Estimated counts recently given, by (list URL, model, caller, filters): (monotonic deadline,
# count).
_estimates: dict[tuple, tuple[float, int]] = {}
NOT_FILTERS = {"page", "page_size", "format"}
# A page this many rows deep or deeper reads its ids first (``page_rows``).
IDS_FIRST_FROM = 1000


def encode_cursor(values: list, ordering: list[str]) -> str:
    raw = json.dumps({"o": ordering, "v": [_plain(v) for v in values]}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(text: str, ordering: list[str]) -> list | None:
    """The values a cursor holds; None for the empty cursor (the first page)."""
    if not text:
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
        values = data["v"]
    except (binascii.Error, ValueError, KeyError, TypeError):
        raise ValidationError({"cursor": [_("游标无效")]}) from None
    if data.get("o") != ordering or len(values) != len(ordering):
        raise ValidationError({"cursor": [_("游标与当前排序不符，请从第一页重新开始")]})
    return values


def _plain(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _value_of(obj, field: str):
    if isinstance(obj, tuple):  # a plain row (core.rows): its columns are named by their paths
        return getattr(obj, field)
    for part in field.split("__"):
        obj = getattr(obj, "pk" if part == "pk" else part)
    return obj


def keyset_q(ordering: list[str], values: list) -> Q:
    """Rows strictly after ``values`` in ``ordering``: (a > x) or (a = x and b > y) or ...

    The first column's bound is repeated on its own (a >= x) so that the planner can seek in
    the ordering's index instead of scanning from its start.
    """
    after = Q(pk__in=[])
    for i, term in enumerate(ordering):
        name = term.lstrip("-")
        op = "lt" if term.startswith("-") else "gt"
        clause = Q(**{f"{name}__{op}": values[i]})
        for previous, value in zip(ordering[:i], values[:i], strict=True):
            clause &= Q(**{previous.lstrip("-"): value})
        after |= clause
    first = ordering[0]
    bound = Q(**{f"{first.lstrip('-')}__{'lte' if first.startswith('-') else 'gte'}": values[0]})
    return bound & after


class Pagination(BasePagination):
    page_size = settings.REST_FRAMEWORK.get("PAGE_SIZE", 50)
    max_page_size = 500

    # --- shared --------------------------------------------------------------------------

    def get_page_size(self, request) -> int:
        try:
            size = int(request.query_params.get("page_size", self.page_size))
        except ValueError:
            return self.page_size
        return max(1, min(size, self.max_page_size))

    def paginate_queryset(self, queryset, request, view=None, *, total: int | None = None):
        """A page of ``queryset``. ``total``: how many rows it holds, when the caller knows
        it without a query; given as the (exact) count instead of counting them, however
        many (a list counted past ``API_EXACT_COUNT_UP_TO`` gets the planner's estimate)."""
        self.request = request
        self.page_size_now = self.get_page_size(request)
        params = request.query_params
        self.keyset = "cursor" in params or "modified_since" in params
        if self.keyset:
            return self._keyset_page(queryset, params, view)
        return self._number_page(queryset, params, total)

    def get_paginated_response(self, data):
        return Response(
            {
                "count": self.count,
                "count_exact": self.count_exact,
                "next": self.next_link,
                "previous": self.previous_link,
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["count", "count_exact", "next", "results"],
            "properties": {
                "count": {
                    "type": "integer",
                    "nullable": True,
                    "description": "Rows in the list: exact when count_exact, else the "
                    "planner's estimate; null when reading with a cursor.",
                },
                "count_exact": {"type": "boolean"},
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "previous": {"type": "string", "nullable": True, "format": "uri"},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        text = [
            ("page", "integer", "page number (with a count); or read with `cursor`"),
            ("page_size", "integer", f"rows a page, at most {self.max_page_size}"),
            ("cursor", "string", "keyset cursor: empty for the first page, then `next`"),
            (
                "modified_since",
                "string",
                "ISO 8601: rows changed at or after, oldest change first, read by cursor",
            ),
        ]
        return [
            {
                "name": name,
                "required": False,
                "in": "query",
                "description": description,
                "schema": {"type": kind},
            }
            for name, kind, description in text
        ]

    # --- page numbers --------------------------------------------------------------------

    def _number_page(self, queryset, params, total: int | None = None):
        try:
            number = int(params.get("page", 1))
        except ValueError:
            number = 0
        size = self.page_size_now
        offset = (number - 1) * size
        # A database OFFSET is a signed 64-bit integer: a page past it is no page at all.
        if number < 1 or offset >= 2**63 - 1 - size:
            raise NotFound(_("无效页面。"))
        rows = page_rows(queryset, offset, size + 1, size=size)
        has_next = len(rows) > size
        rows = rows[:size]
        if number > 1 and not rows:
            raise NotFound(_("无效页面。"))
        if not has_next:
            self.count, self.count_exact = offset + len(rows), True  # no query needed
        elif total is not None:  # known exactly for free: better than any estimate
            self.count, self.count_exact = total, True
        else:
            self.count, self.count_exact = self._count(queryset, params)
        url = self.request.build_absolute_uri()
        self.next_link = replace_query_param(url, "page", number + 1) if has_next else None
        if number == 1:
            self.previous_link = None
        elif number == 2:
            self.previous_link = remove_query_param(url, "page")
        else:
            self.previous_link = replace_query_param(url, "page", number - 1)
        return rows

    def _count(self, queryset, params) -> tuple[int, bool]:
        """``cheap_count``; an estimate is remembered a while for the same list and caller.

        Past ``API_EXACT_COUNT_UP_TO`` the count is the planner's estimate anyway, so a
        district client paging through it need not pay its two queries on every page: the
        estimate is kept ``API_ESTIMATED_COUNT_SECONDS`` per list, caller and filters (the
        page, its size and the format aside). Exact counts are never kept.
        """
        seconds = settings.API_ESTIMATED_COUNT_SECONDS
        if seconds <= 0:
            return cheap_count(queryset)
        user = getattr(self.request, "user", None)
        key = (
            self.request.path,
            queryset.model._meta.label,
            getattr(user, "pk", None),
            tuple(sorted((k, tuple(v)) for k, v in params.lists() if k not in NOT_FILTERS)),
        )
        found = _estimates.get(key)
        if found is not None and found[0] > time.monotonic():
            return found[1], False
        count, exact = cheap_count(queryset)
        if not exact:
            if len(_estimates) >= 1000:
                _estimates.clear()
            _estimates[key] = (time.monotonic() + seconds, count)
        return count, exact

    # --- keyset cursors ------------------------------------------------------------------

    def _keyset_page(self, queryset, params, view):
        self.count, self.count_exact = None, False
        since = params.get("modified_since")
        if since is not None:
            field = getattr(view, "modified_field", None)
            if field is None:
                raise ValidationError({"modified_since": [_("此列表不支持 modified_since")]})
            moment = parse_datetime(since)
            if moment is None or not MIN_YEAR <= moment.year <= MAX_YEAR:
                raise ValidationError({"modified_since": [_("请使用 ISO 8601 时间")]})
            queryset = queryset.filter(**{f"{field}__gte": moment}).order_by(field, "pk")
        ordering = self._ordering(queryset)
        values = decode_cursor(params.get("cursor", ""), ordering)
        if values is not None and None in values:
            # A keyset needs a value to compare with; an empty column (an open-ended end
            # date) has none. Page numbers still read such an ordering.
            raise ValidationError({"cursor": [_("排序字段有空值，不能用游标分页，请改用页码")]})
        if values is not None:
            queryset = queryset.filter(keyset_q(ordering, values))
        size = self.page_size_now
        rows = list(queryset.order_by(*ordering)[: size + 1])
        has_next = len(rows) > size
        rows = rows[:size]
        url = self.request.build_absolute_uri()
        self.previous_link = None
        self.next_link = None
        if has_next:
            last = [_value_of(rows[-1], term.lstrip("-")) for term in ordering]
            self.next_link = replace_query_param(url, "cursor", encode_cursor(last, ordering))
        return rows

    @staticmethod
    def _ordering(queryset) -> list[str]:
        """The list's ordering as field names, ending in ``pk`` so that it is total."""
        terms = list(queryset.query.order_by or queryset.model._meta.ordering)
        if not all(isinstance(t, str) and t != "?" for t in terms):
            raise ValidationError({"cursor": [_("此列表的排序不支持游标分页")]})
        pk_names = {"pk", "id", "-pk", "-id"}
        terms = [t for t in terms if t not in pk_names] + [
            next((t for t in terms if t in pk_names), None)
            or ("-pk" if terms and terms[-1].startswith("-") else "pk")
        ]
        return [t.replace("id", "pk") if t.lstrip("-") == "id" else t for t in terms]


def page_rows(queryset, offset: int, limit: int, *, size: int | None = None) -> list:
    """``list(queryset[offset:offset + limit])``, in a total order; past ``IDS_FIRST_FROM``
    rows, in two steps.

    ``OFFSET`` makes the database build every skipped row with its joins (a river's region,
    an order's river and chief) only to throw it away: page 900 of the district's rivers built
    45,000 joined rows. The page's ids are read first (the filter and the ordering only, as
    ``core.paginator.IdsFirstPaginator`` does for the HTML lists), then those rows with
    everything the list shows, put back in order. Better still, for pages of ``size`` rows the
    list's page map (``core.page_map``) gives the previous page's last row, and the page is
    read by keyset from it, as a cursor page is: what page 1 costs.

    The order is made total (``total_ordering``: the pk breaks ties) so that a page holds the
    same rows however it is read, and no row falls between two pages.
    """
    if isinstance(queryset, QuerySet) and not queryset.query.combinator:
        ordering = total_ordering(queryset)
        if ordering is not None:
            queryset = queryset.order_by(*ordering)
    else:
        ordering = None
    if offset < IDS_FIRST_FROM or not _rows_by_pk(queryset):
        return list(queryset[offset : offset + limit])
    if ordering is not None and size:
        rows = page_map.page_rows(queryset, ordering, offset, size, limit)
        if rows is not None:
            return rows
    ids = list(
        queryset.prefetch_related(None).values_list("pk", flat=True)[offset : offset + limit]
    )
    if not ids:
        return []
    found = {row.pk: row for row in queryset.filter(pk__in=ids).order_by()}
    return [found[pk] for pk in ids if pk in found]


def total_ordering(queryset) -> list[str] | None:
    """The queryset's ordering as field names ending in a unique one (the pk unless a unique,
    non-empty column comes first: a river's code), so that it is total; None for an ordering
    of expressions, which is left as it is."""
    terms = list(queryset.query.order_by or queryset.model._meta.ordering)
    if not all(isinstance(t, str) and t not in ("?", "") for t in terms):
        return None
    meta, total = queryset.model._meta, []
    for term in terms:
        descending, name = term.startswith("-"), term.lstrip("-")
        if name in ("pk", meta.pk.name):
            return [*total, "-pk" if descending else "pk"]
        total.append(term)
        try:
            field = meta.get_field(name) if "__" not in name else None
        except FieldDoesNotExist:
            field = None
        if field is not None and not field.is_relation and field.unique and not field.null:
            return total
    return [*total, "-pk" if terms and terms[-1].startswith("-") else "pk"]


def _rows_by_pk(queryset) -> bool:
    """Rows of one query that carry their ``pk``: models, or named tuples with a ``pk``
    column (``core.rows``); not a union, DISTINCT or an already sliced query."""
    query = getattr(queryset, "query", None)
    if not isinstance(queryset, QuerySet) or query.combinator or query.distinct:
        return False
    if query.is_sliced:
        return False
    if queryset._iterable_class is NamedValuesListIterable:
        return "pk" in query.values_select
    return queryset._iterable_class is ModelIterable


def cheap_count(queryset) -> tuple[int, bool]:
    """(count, exact): exact up to ``API_EXACT_COUNT_UP_TO`` rows, then an estimate.

    The bounded count reads at most that many rows. Past it, PostgreSQL's planner estimate
    (from the table statistics ANALYZE keeps) is given; other databases count exactly.
    """
    limit = settings.API_EXACT_COUNT_UP_TO
    bounded = queryset.order_by().values("pk")[: limit + 1].count()
    if bounded <= limit:
        return bounded, True
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return queryset.order_by().count(), True
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    estimate = int(plan[0]["Plan"]["Plan Rows"])
    return max(estimate, limit + 1), False

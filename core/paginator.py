"""The HTML lists' paginator: a deep page reads its ids first, then its rows."""

from functools import cached_property

from django.core.paginator import Paginator
from django.db.models import Count, Window


class IdsFirstPaginator(Paginator):
    """Django's ``Paginator`` over a queryset, reading a page in two steps.

    ``OFFSET`` makes the database build every skipped row: with the joins and the per-row
    subqueries of a list (a patrol's finding count), page 300 of a town's patrols built 9,000
    rows to show 30. Here the page's ids are read first (only the filter and the ordering, no
    joins or annotations), then those rows with everything the page shows, put back in order.
    One more query per page; the same pages and counts as ``Paginator``.

    ``rows``: the queryset the page's rows are read from, when it differs from the one counted
    and ordered (``object_list``): give the annotations that group over another table (a
    point's number of samples) only to ``rows``, or the count and the ids would group every
    row of the scope to show 50.

    ``ids``: a function ``(offset, limit)`` giving a page's ids in a cheaper way than the
    ``OFFSET`` when it knows one (a merge of a town's villages, ``patrols.selectors``), or None
    to leave that page to the plain query.

    ``count``: a function giving the number of rows (a count remembered while nothing it
    counts changed, ``patrols.selectors.counts``), instead of ``COUNT(*)`` on every page.
    """

    def __init__(
        self,
        object_list,
        per_page,
        orphans=0,
        allow_empty_first_page=True,
        rows=None,
        ids=None,
        count=None,
    ):
        super().__init__(object_list, per_page, orphans, allow_empty_first_page)
        self.rows = object_list if rows is None else rows
        self.ids = ids
        self.count_of = count

    @cached_property
    def count(self) -> int:
        return super().count if self.count_of is None else self.count_of()

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        ids = self.ids(bottom, top - bottom) if self.ids is not None else None
        if ids is None:
            ids = list(self.object_list.values_list("pk", flat=True)[bottom:top])
        rows = {row.pk: row for row in self.rows.filter(pk__in=ids).order_by()}
        return self._get_page([rows[pk] for pk in ids if pk in rows], number, self)


class CountedPaginator(Paginator):
    """Django's ``Paginator`` told its number of rows, when the page has counted them already
    (the water-quality list's summary tiles count the same rows by class): no second count."""

    def __init__(self, object_list, per_page, *, count: int, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self._known_count = count

    @cached_property
    def count(self) -> int:
        return self._known_count


class OneQueryPaginator(Paginator):
    """Django's ``Paginator`` reading a page and the number of rows in one query: each row
    carries ``COUNT(*) OVER ()``, the rows the filter keeps before ``LIMIT`` takes the page's.

    The count and the page otherwise gather the same rows twice; a town's registry looks up
    its 2,525 rivers by id for each (two thirds of the registry page's SQL on bench_big). A
    page past the end, or a number that is not one, falls back to Django's behaviour (a count,
    then the last or the first page). Rows are dicts (``values()``) or models; no orphans.
    """

    TOTAL = "_rows_in_all"
    LARGEST_OFFSET = 2**63 - 1  # a 64-bit integer: the databases refuse a larger OFFSET

    def __init__(self, object_list, per_page, allow_empty_first_page=True):
        super().__init__(object_list, per_page, 0, allow_empty_first_page)

    def get_page(self, number):
        try:
            number = int(number or 1)
        except (TypeError, ValueError):
            return super().get_page(number)
        bottom = (number - 1) * self.per_page
        if number < 1 or bottom + self.per_page > self.LARGEST_OFFSET:
            return super().get_page(number)  # the last page or the first, as Django gives
        counted = self.object_list.annotate(**{self.TOTAL: Window(Count("*"))})
        rows = list(counted[bottom : bottom + self.per_page])
        if not rows:
            return super().get_page(number)
        for row in rows:
            total = row.pop(self.TOTAL) if isinstance(row, dict) else row.__dict__.pop(self.TOTAL)
        self.__dict__["count"] = total  # the cached_property, known now
        return self._get_page(rows, number, self)

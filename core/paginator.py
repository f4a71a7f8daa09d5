"""The HTML lists' paginator: a deep page reads its ids first, then its rows."""

from functools import cached_property

from django.core.paginator import Paginator


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
    """

    def __init__(
        self, object_list, per_page, orphans=0, allow_empty_first_page=True, rows=None, ids=None
    ):
        super().__init__(object_list, per_page, orphans, allow_empty_first_page)
        self.rows = object_list if rows is None else rows
        self.ids = ids

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

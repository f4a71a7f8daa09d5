"""Selectors other apps call (the letters use order_counts_for_rivers)."""

from datetime import UTC, date, datetime

import pytest
import time_machine

from directives import selectors, services
from tests import factories

pytestmark = pytest.mark.django_db


def test_order_counts_for_rivers_counts_open_and_overdue_in_one_query(
    make_order, river, village, village_chief, town_staff, django_assert_num_queries
):
    quiet = factories.RiverFactory(region=village)
    with time_machine.travel(datetime(2026, 3, 10, 9, tzinfo=UTC), tick=False):
        make_order(deadline=date(2026, 3, 10))  # overdue on the 11th
        make_order(deadline=date(2026, 3, 20))  # open, not overdue
        submitted = make_order(deadline=date(2026, 3, 5))  # submitted: not owed any more
        services.accept_directive(directive=submitted, by=village_chief)
        services.submit_rectification(directive=submitted, by=village_chief, text="done")
        closed = make_order(deadline=date(2026, 3, 5))
        services.accept_directive(directive=closed, by=village_chief)
        services.submit_rectification(directive=closed, by=village_chief, text="done")
        services.close_directive(directive=closed, by=town_staff)
    with django_assert_num_queries(1):
        counts = selectors.order_counts_for_rivers(
            river_ids=[river.pk, quiet.pk], at=date(2026, 3, 11)
        )
    assert counts == {river.pk: {"open": 3, "overdue": 1}, quiet.pk: {"open": 0, "overdue": 0}}


def test_order_counts_agree_with_the_board_summary(make_order, town_staff, river):
    make_order(deadline=date(2026, 3, 10))
    make_order(deadline=date(2026, 3, 12))
    at = date(2026, 3, 11)
    counts = selectors.order_counts_for_rivers(river_ids=[river.pk], at=at)[river.pk]
    summary = selectors.board_summary(user=town_staff, at=at)
    assert (counts["open"], counts["overdue"]) == (summary["open"], summary["overdue"])


def test_orders_for_chief_lists_the_orders_of_their_village_soonest_first(
    make_order, village_chief
):
    later = make_order(deadline=date(2026, 3, 20))
    sooner = make_order(deadline=date(2026, 3, 5))
    assert list(selectors.orders_for_chief(user=village_chief)) == [sooner, later]


def test_the_boards_tiles_are_the_board_summary_filtered_or_not(
    make_order, town_staff, village_chief, django_assert_num_queries
):
    with time_machine.travel(datetime(2026, 3, 1, 9, tzinfo=UTC), tick=False):
        make_order(deadline=date(2026, 3, 10))  # overdue on the 11th
        make_order(deadline=date(2026, 3, 12))  # due soon
        make_order(deadline=date(2026, 5, 1))  # open
        submitted = make_order(deadline=date(2026, 3, 5))
        services.accept_directive(directive=submitted, by=village_chief)
        services.submit_rectification(directive=submitted, by=village_chief, text="done")
    at = date(2026, 3, 11)
    summary = selectors.board_summary(user=town_staff, at=at)
    assert (summary["overdue"], summary["due_soon"], summary["to_verify"]) == (1, 1, 1)
    # By status, then the cards of the issued and the submitted columns: in one query where the
    # database takes a LIMIT in each part of a UNION (PostgreSQL), one a column elsewhere.
    with django_assert_num_queries(2 if _union_of_pages() else 3):
        _columns, _paging, tiles = selectors.board_page(user=town_staff, at=at)
    assert tiles == summary
    # Filtered, the columns count less but the tiles still count every order.
    columns, _paging, tiles = selectors.board_page(
        user=town_staff, at=at, filters={"status": "submitted"}
    )
    assert sum(c["count"] for c in columns) == 1
    assert tiles == summary


def _union_of_pages() -> bool:
    from django.db import connection

    return connection.features.supports_slicing_ordering_in_compound


def test_the_board_filtered_on_a_status_counts_the_orders_once(
    make_order, town_staff, village_chief, django_assert_num_queries
):
    make_order(deadline=date(2026, 3, 10))
    submitted = make_order(deadline=date(2026, 3, 5))
    services.accept_directive(directive=submitted, by=village_chief)
    services.submit_rectification(directive=submitted, by=village_chief, text="done")
    at = date(2026, 3, 11)
    summary = selectors.board_summary(user=town_staff, at=at)
    # One count by status gives the tiles and the column's count; then the column's page.
    with django_assert_num_queries(2):
        columns, paging, tiles = selectors.board_page(
            user=town_staff, at=at, filters={"status": "submitted"}
        )
    assert tiles == summary
    assert {c["status"]: c["count"] for c in columns if c["count"]} == {"submitted": 1}
    assert [o.pk for c in columns for o in c["orders"]] == [submitted.pk]
    assert paging["pages"] == 1
    # A status the filter does not know is ignored, as the filter set ignores it.
    columns, paging, tiles = selectors.board_page(
        user=town_staff, at=at, filters={"status": "lost"}
    )
    assert tiles == summary
    assert sum(c["count"] for c in columns) == 2
    assert paging is None
    # Another filter beside the status: the columns count what it leaves, the tiles everything.
    columns, _paging, tiles = selectors.board_page(
        user=town_staff, at=at, filters={"status": "issued", "overdue": "true"}
    )
    assert tiles == summary
    assert {c["status"]: c["count"] for c in columns if c["count"]} == {"issued": 1}


def test_the_boards_columns_keep_their_orders_when_read_together(
    make_order, town_staff, village_chief
):
    """Every column's page is read in one query and put in order in Python: overdue first by
    deadline, then by deadline, the number and the id breaking ties; the closed newest first,
    the ones closed at no recorded time before them (PostgreSQL's descending order)."""
    from directives.models import Directive, Status

    with time_machine.travel(datetime(2026, 3, 1, 9, tzinfo=UTC), tick=False):
        due = [make_order(deadline=date(2026, 3, d)) for d in (20, 5, 12, 5)]
        closed = [make_order(deadline=date(2026, 3, 30)) for _ in range(3)]
    moments = [datetime(2026, 3, 2, tzinfo=UTC), None, datetime(2026, 3, 4, tzinfo=UTC)]
    for order, at in zip(closed, moments, strict=True):
        Directive.objects.filter(pk=order.pk).update(status=Status.CLOSED, closed_at=at)
    columns, _paging, _tiles = selectors.board_page(user=town_staff, at=date(2026, 3, 10))
    by_status = {c["status"]: [o.pk for o in c["orders"]] for c in columns}
    assert by_status["issued"] == [due[1].pk, due[3].pk, due[2].pk, due[0].pk]
    assert by_status["closed"] == [closed[1].pk, closed[2].pk, closed[0].pk]


def test_yearly_statistics_read_the_orders_columns_in_one_query(
    make_order, town_staff, village_chief, village, chief, django_assert_num_queries
):
    """The figures by source and by village come from the orders' columns (no model per
    order): a chief-only order counts under the chief's region, on time and days to rectify
    by the model's own rules."""
    with time_machine.travel(datetime(2026, 3, 4, 2, tzinfo=UTC), tick=False):
        on_time = make_order(issued_on=date(2026, 3, 1), deadline=date(2026, 3, 10))
        late = make_order(
            issued_on=date(2026, 3, 1),
            deadline=date(2026, 3, 2),
            target_village=None,
            target_chief=chief,
            source="inspection",
        )
        make_order(issued_on=date(2026, 3, 1), deadline=date(2026, 3, 20))
        for order in (on_time, late):
            services.accept_directive(directive=order, by=village_chief)
            services.submit_rectification(directive=order, by=village_chief, text="ok")
            services.close_directive(directive=order, by=town_staff)
    # The orders, the work orders' figures, the rounds' count.
    with django_assert_num_queries(3):
        stats = selectors.yearly_statistics(user=town_staff, year=2026)
    assert stats["total"] == {
        "issued": 3,
        "rectified": 2,
        "on_time": 1,
        "open": 1,
        "average_days": 3.0,
    }
    assert {r["source"]: r["issued"] for r in stats["by_source"]} == {
        "phone_report": 2,
        "inspection": 1,
    }
    assert stats["by_village"] == [
        {
            "village": village.name,
            "issued": 3,
            "rectified": 2,
            "on_time": 1,
            "open": 1,
            "average_days": 3.0,
        }
    ]

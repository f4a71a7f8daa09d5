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
    with django_assert_num_queries(3):  # by status, then the issued and the submitted columns
        _columns, _paging, tiles = selectors.board_page(user=town_staff, at=at)
    assert tiles == summary
    # Filtered, the columns count less but the tiles still count every order.
    columns, _paging, tiles = selectors.board_page(
        user=town_staff, at=at, filters={"status": "submitted"}
    )
    assert sum(c["count"] for c in columns) == 1
    assert tiles == summary

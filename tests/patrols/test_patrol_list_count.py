"""The patrol list's count and page ids are remembered per scope and filters
(patrols.selectors.counts) and stay exact: a patrol added, deleted, reviewed or moved shows
in the count and on the page at the next read; the other town's patrols are never counted
nor shown, nor its changes felt."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from patrols import services
from patrols.models import Patrol
from patrols.selectors import counts, lists
from patrols.selectors.counts import scopes_seeing
from tests.patrols.factories import PatrolFactory, chief_on_river

START = datetime(2018, 3, 5, 1, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _remembered(settings):
    settings.PATROL_COUNT_CACHE_SECONDS = 30
    cache.clear()
    counts.forget()
    yield
    cache.clear()
    counts.forget()


@pytest.fixture
def patrols(two_towns):
    """Three patrols in each town, one of each on the river across the border."""
    d = two_towns
    for user, river in (
        (d.chief_a1, d.river_a1),
        (d.chief_a2, d.river_a2),
        (d.chief_a1, d.border_river),
        (d.chief_b1, d.river_b1),
        (d.chief_b2, d.river_b2),
        (d.chief_b1, d.border_river),
    ):
        PatrolFactory(chief=user.chief, river=river)
    return d


def read(client, user, **params):
    """(the count shown, the number of COUNT queries the page ran, the patrol ids shown)."""
    return read_page(client, user, **params)[:3]


def read_page(client, user, **params):
    """``read`` and the number of queries that read the page's ids."""
    client.force_login(user)
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/patrols/", params)
    assert response.status_code == 200
    counts = [
        q
        for q in captured.captured_queries
        if q["sql"].startswith("SELECT COUNT(*)") and "patrols_patrol" in q["sql"]
    ]
    ids = [
        q
        for q in captured.captured_queries
        if q["sql"].startswith(('SELECT "patrols_patrol"."id" AS "pk" FROM', "SELECT merged.pk"))
    ]
    page = response.context["page"]
    return page.paginator.count, len(counts), {p.pk for p in page}, len(ids)


def record(d, user, river, *, minutes=0):
    return services.record_patrol(
        by=user,
        river=river,
        started_at=START + timedelta(days=1, minutes=minutes),
        ended_at=START + timedelta(days=1, minutes=minutes + 40),
    )


def test_it_counts_once_and_reads_the_next_pages_count_from_the_cache(client, patrols):
    d = patrols
    assert read(client, d.office_a)[:2] == (3, 1)
    assert read(client, d.office_a)[:2] == (3, 0)
    # A page number or an empty field is the same list: the same count.
    assert read(client, d.office_a, page=2, river="", month="")[:2] == (3, 0)
    # A filter is a list of its own.
    assert read(client, d.office_a, river=d.border_river.pk)[:2] == (1, 1)


def test_a_patrol_added_shows_in_the_count_at_the_next_read(
    client, patrols, django_capture_on_commit_callbacks
):
    d = patrols
    assert read(client, d.office_a)[0] == 3
    with django_capture_on_commit_callbacks(execute=True):
        added = record(d, d.chief_a1, d.border_river)
    count, _, shown = read(client, d.office_a)
    assert count == 4
    assert added.pk in shown


def test_a_patrol_added_without_a_signal_shows_by_the_newest_id(client, patrols):
    """Another web process's addition, with each process its own cache, or a bulk load:
    nothing announced the change here, the newest id tells it."""
    d = patrols
    assert read(client, d.office_a)[0] == 3
    Patrol.objects.bulk_create([PatrolFactory.build(chief=d.chief_a2.chief, river=d.river_a2)])
    assert read(client, d.office_a)[:2] == (4, 1)


def test_a_deleted_patrol_leaves_the_count_at_the_next_read(
    client, patrols, django_capture_on_commit_callbacks
):
    d = patrols
    assert read(client, d.office_a)[0] == 3
    with django_capture_on_commit_callbacks(execute=True):
        Patrol.objects.filter(region=d.village_a2).get().delete()
    assert read(client, d.office_a)[0] == 2


def test_a_review_shows_in_a_filtered_count_at_the_next_read(
    client, patrols, django_capture_on_commit_callbacks
):
    d = patrols
    assert read(client, d.office_a, review="rejected")[0] == 0
    patrol = Patrol.objects.filter(region=d.village_a2).get()
    with django_capture_on_commit_callbacks(execute=True):
        services.review_patrol(patrol=patrol, by=d.office_a, decision="rejected", note="轨迹不全")
    assert read(client, d.office_a, review="rejected")[:2] == (1, 1)
    assert read(client, d.office_a)[0] == 3


def test_the_other_towns_patrols_are_never_counted_nor_shown(
    client, patrols, django_capture_on_commit_callbacks
):
    d = patrols
    own = set(Patrol.objects.filter(region__parent=d.town_a).values_list("pk", flat=True))
    count, _, shown = read(client, d.office_a)
    assert (count, shown) == (3, own)
    # The river across the border: each town counts its own chiefs' patrols of it.
    assert read(client, d.office_b, river=d.border_river.pk)[0] == 1
    with django_capture_on_commit_callbacks(execute=True):
        theirs = record(d, d.chief_b1, d.border_river)
    count, _, shown = read(client, d.office_a)
    assert (count, shown) == (3, own)
    assert read(client, d.office_a, river=d.border_river.pk)[0] == 1
    count, _, shown = read(client, d.office_b)
    assert count == 4
    assert theirs.pk in shown
    assert read(client, d.office_b, river=d.border_river.pk)[0] == 2


def test_a_change_in_the_other_town_leaves_this_towns_count_remembered(
    client, patrols, django_capture_on_commit_callbacks
):
    d = patrols
    assert read(client, d.office_a)[:2] == (3, 1)
    assert read(client, d.office_b, review="rejected")[:2] == (0, 1)
    patrol = Patrol.objects.filter(region=d.village_b2).get()
    with django_capture_on_commit_callbacks(execute=True):
        services.review_patrol(patrol=patrol, by=d.office_b, decision="rejected", note="轨迹不全")
    assert read(client, d.office_a)[:2] == (3, 0)
    assert read(client, d.office_b, review="rejected")[:2] == (1, 1)


def test_each_village_chief_counts_only_their_own_patrols(client, patrols):
    """Two chiefs of one village see different patrols: never one's remembered count."""
    d = patrols
    other, river = chief_on_river(d.village_a1)
    PatrolFactory(chief=other, river=river)
    assert read(client, d.chief_a1)[0] == 2
    assert read(client, other.user)[0] == 1
    assert read(client, d.chief_a1)[:2] == (2, 0)
    assert read(client, d.office_a)[0] == 4


def test_a_patrol_changes_the_counts_of_every_scope_that_sees_it():
    assert scopes_seeing("310116101201") == ["", "310116", "310116101", "310116101201"]
    assert scopes_seeing("310116101") == ["", "310116", "310116101"]


def test_a_pages_ids_are_remembered_and_a_new_patrol_moves_them(
    client, patrols, monkeypatch, django_capture_on_commit_callbacks
):
    d = patrols
    monkeypatch.setattr(lists, "MERGE_FROM", 1)  # page 2 is "deep": merged on PostgreSQL
    monkeypatch.setattr("patrols.views.patrols.PAGE_SIZE", 2)
    first = read_page(client, d.office_a, page=2)
    assert first[0] == 3
    assert first[3] == 1
    again = read_page(client, d.office_a, page=2)
    assert again[2] == first[2]
    assert again[1:4:2] == (0, 0)  # neither counted nor its ids read again
    with django_capture_on_commit_callbacks(execute=True):
        added = record(d, d.chief_a2, d.river_a2)  # the newest: first on page 1
    moved = read_page(client, d.office_a, page=2)
    assert moved[0] == 4
    assert moved[3] == 1
    assert moved[2] != first[2]
    assert added.pk in read(client, d.office_a)[2]


def test_a_patrol_moved_to_the_other_town_leaves_this_towns_count_at_once(
    client, patrols, django_capture_on_commit_callbacks
):
    """The admin can change a patrol's region: both towns' lists change."""
    d = patrols
    assert read(client, d.office_a)[0] == 3
    assert read(client, d.office_b)[0] == 3
    patrol = Patrol.objects.filter(region=d.village_a2).get()
    patrol = Patrol.objects.get(pk=patrol.pk)  # as the admin reads it: no region loaded
    patrol.region_id = d.village_b2.pk
    with django_capture_on_commit_callbacks(execute=True):
        patrol.save()
    assert read(client, d.office_a)[0] == 2
    assert read(client, d.office_b)[:2] == (4, 1)

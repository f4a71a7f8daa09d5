"""The patrol statistics' figures are remembered per scope, year and filters
(patrols.selectors.stats) and stay exact: a patrol or a finding added, deleted, reviewed or
moved shows at the next read; names and words are read for each page; the other town's
patrols are never counted, nor its changes felt; a village chief counts only their own."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from patrols import services
from patrols.models import Finding, Patrol
from patrols.selectors.counts import generation_key
from tests.patrols.factories import FindingFactory, PatrolFactory

START = datetime(2018, 3, 5, 1, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _remembered(settings):
    settings.PATROL_STATS_CACHE_SECONDS = 30
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def patrols(two_towns):
    """Three patrols in each town, one of each on the river across the border, each with a
    finding."""
    d = two_towns
    for i, (user, river) in enumerate(
        (
            (d.chief_a1, d.river_a1),
            (d.chief_a2, d.river_a2),
            (d.chief_a1, d.border_river),
            (d.chief_b1, d.river_b1),
            (d.chief_b2, d.river_b2),
            (d.chief_b1, d.border_river),
        )
    ):
        patrol = PatrolFactory(chief=user.chief, river=river, started_at=START + timedelta(days=i))
        FindingFactory(patrol=patrol)
    return d


def read(client, user, **params):
    """(the page's stats, whether the figures were computed: their grouped query ran)."""
    client.force_login(user)
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/patrols/stats/", {"year": 2018, **params})
    assert response.status_code == 200
    computed = any("COUNT(DISTINCT" in q["sql"] for q in captured.captured_queries)
    return response.context["stats"], computed


def figures(stats):
    return [(r.label, r.patrols, r.chiefs, r.findings) for r in stats.rows]


def test_it_computes_once_and_reads_the_next_pages_figures_from_the_cache(client, patrols):
    d = patrols
    first, computed = read(client, d.office_a)
    assert computed
    assert first.total.patrols == 3
    assert first.total.findings == 3
    again, computed = read(client, d.office_a)
    assert not computed
    assert figures(again) == figures(first)
    assert again.sentences == first.sentences


@pytest.mark.parametrize("group", ["level", "chief", "village", "month"])
def test_a_remembered_page_runs_a_fixed_number_of_queries(
    client, patrols, group, django_assert_num_queries
):
    d = patrols
    read(client, d.office_a, group=group)
    # Session, user, region, the newest ids, the names of a chief's or village's rows, the
    # regions of the filter, the chief of the user, the unread notices.
    names = 1 if group in ("chief", "village") else 0
    with django_assert_num_queries(7 + names):
        response = client.get("/patrols/stats/", {"year": 2018, "group": group})
    assert response.context["stats"].total.patrols == 3


def test_each_town_counts_its_own_patrols_and_each_the_border_rivers_of_its_chiefs(client, patrols):
    d = patrols
    a, _ = read(client, d.office_a, group="chief")
    b, _ = read(client, d.office_b, group="chief")
    # chief_a1: a patrol in the village and one on the border river; chief_a2: one.
    assert sorted((r.patrols, r.chiefs, r.findings) for r in a.rows) == [(1, 1, 1), (2, 1, 2)]
    assert {r.key for r in a.rows} == {d.chief_a1.chief.pk, d.chief_a2.chief.pk}
    assert {r.key for r in b.rows} == {d.chief_b1.chief.pk, d.chief_b2.chief.pk}
    assert a.total.patrols == b.total.patrols == 3
    # Remembered, the other town's figures never answer for this town's page.
    again_a, computed = read(client, d.office_a, group="chief")
    assert not computed
    assert figures(again_a) == figures(a)


def test_each_village_chief_counts_only_their_own_patrols(client, patrols):
    d = patrols
    office, _ = read(client, d.office_a)
    mine, _ = read(client, d.chief_a1)
    theirs, _ = read(client, d.chief_a2)
    assert (office.total.patrols, mine.total.patrols, theirs.total.patrols) == (3, 2, 1)
    again, computed = read(client, d.chief_a1)
    assert not computed
    assert again.total.patrols == 2


def test_a_rejected_patrol_leaves_the_figures_at_the_next_read(
    client, patrols, django_capture_on_commit_callbacks
):
    d = patrols
    read(client, d.office_a)
    patrol = Patrol.objects.filter(chief=d.chief_a2.chief).get()
    with django_capture_on_commit_callbacks(execute=True):
        services.review_patrol(patrol=patrol, by=d.office_a, decision="rejected", note="假")
    stats, computed = read(client, d.office_a)
    assert computed
    assert (stats.total.patrols, stats.total.findings) == (2, 2)


def test_a_patrol_added_without_a_signal_shows_by_the_newest_id(client, patrols):
    d = patrols
    read(client, d.office_a)
    template = Patrol.objects.filter(chief=d.chief_a2.chief).get()
    template.pk, template.client_id = None, uuid.uuid4()
    Patrol.objects.bulk_create([template])
    stats, computed = read(client, d.office_a)
    assert computed
    assert stats.total.patrols == 4


def test_a_finding_added_or_deleted_shows_at_the_next_read(
    client, patrols, django_capture_on_commit_callbacks
):
    d = patrols
    patrol = Patrol.objects.filter(chief=d.chief_a2.chief).get()
    read(client, d.office_a)
    with django_capture_on_commit_callbacks(execute=True):
        found = services.report_finding(
            by=d.chief_a2, river=patrol.river, patrol=patrol, category="garbage"
        )
    stats, computed = read(client, d.office_a)
    assert computed
    assert stats.total.findings == 4
    read(client, d.office_a)
    with django_capture_on_commit_callbacks(execute=True):
        Finding.objects.get(pk=found.pk).delete()
    stats, computed = read(client, d.office_a)
    assert computed
    assert stats.total.findings == 3


def test_a_finding_moved_to_the_other_towns_patrol_changes_both_towns(
    client, patrols, django_capture_on_commit_callbacks
):
    d = patrols
    read(client, d.office_a)
    read(client, d.office_b)
    finding = Finding.objects.filter(patrol__chief=d.chief_a2.chief).get()
    finding.patrol = Patrol.objects.filter(chief=d.chief_b2.chief).get()
    with django_capture_on_commit_callbacks(execute=True):
        finding.save()
    a, computed_a = read(client, d.office_a)
    b, computed_b = read(client, d.office_b)
    assert computed_a
    assert computed_b
    assert (a.total.findings, b.total.findings) == (2, 4)


def test_a_findings_status_leaves_the_figures_remembered(
    client, patrols, django_capture_on_commit_callbacks
):
    d = patrols
    read(client, d.office_a)
    finding = Finding.objects.filter(patrol__chief=d.chief_a2.chief).get()
    before = cache.get(generation_key(d.town_a.code), 0)
    with django_capture_on_commit_callbacks(execute=True):
        services.dismiss_finding(finding=finding, by=d.office_a, reason="重复")
    assert cache.get(generation_key(d.town_a.code), 0) == before
    stats, computed = read(client, d.office_a)
    assert not computed
    assert stats.total.findings == 3


def test_a_change_in_the_other_town_leaves_this_towns_figures_remembered(
    client, patrols, django_capture_on_commit_callbacks
):
    d = patrols
    read(client, d.office_a)
    patrol = Patrol.objects.filter(chief=d.chief_b2.chief).get()
    with django_capture_on_commit_callbacks(execute=True):
        services.review_patrol(patrol=patrol, by=d.office_b, decision="rejected", note="假")
    a, computed = read(client, d.office_a)
    assert not computed
    assert a.total.patrols == 3
    b, computed = read(client, d.office_b)
    assert computed
    assert b.total.patrols == 2


def test_a_renamed_chief_and_village_show_at_once(client, patrols):
    d = patrols
    read(client, d.office_a, group="chief")
    read(client, d.office_a, group="village")
    d.chief_a2.last_name, d.chief_a2.first_name = "王", "五"
    d.chief_a2.save()
    d.village_a2.name = "新秀州村"
    d.village_a2.save()
    chiefs, computed = read(client, d.office_a, group="chief")
    assert not computed
    assert "王五" in [r.label for r in chiefs.rows]
    villages, computed = read(client, d.office_a, group="village")
    assert not computed
    assert "新秀州村" in [r.label for r in villages.rows]


def test_the_words_follow_the_language_with_the_figures_remembered(client, patrols):
    d = patrols
    client.force_login(d.office_a)
    zh = client.get("/patrols/stats/?year=2018", HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.cookies["django_language"] = "en"
    en = client.get("/patrols/stats/?year=2018")
    assert "村级" in zh.content.decode()
    assert "合计" in zh.content.decode()
    body = en.content.decode()
    assert "合计" not in body
    assert "Total" in body
    # The grouping's names too, whatever language imported the view first.
    assert '<option value="month">Month</option>' in body
    assert '<option value="month">月份</option>' in zh.content.decode()

"""The office's two long lists read through their own selectors (water quality:
``stored_status_list``; points: ``point_ids`` and ``point_rows``): the same rivers and points,
in the same order, as the scoped querysets they replaced, for every scope of two towns and
the river across their border."""

import pytest
from django.db.models import OuterRef, Subquery

from monitoring import selectors
from monitoring.models import MonitoringPoint
from monitoring.periods import Period
from rivers.models import River
from tests.factories import RiverFactory, SluiceGateFactory
from tests.monitoring.factories import MonitoringPointFactory, SampleFactory, at

pytestmark = pytest.mark.django_db

MAY = Period.month(2018, 5)


def _sampled(point, nh3n, **values):
    SampleFactory(point=point, sampled_at=at(2018, 5, 3), nh3n=nh3n, **values)
    return point


@pytest.fixture
def district(two_towns):
    """Each village's river monitored, the border river (owned by town B, crossing A1) with a
    point placed in B1, a second river in A1 with two points, a gate's point in A2 without a
    river, a retired point, and a river of A2 whose point has no sample."""
    d = two_towns
    d.points = {
        "a1": _sampled(MonitoringPointFactory(river=d.river_a1, code="PA1"), 2.6, do=1.5),
        "a1b": _sampled(MonitoringPointFactory(river=d.river_a1, code="PA1B"), 0.3),
        "a2": _sampled(MonitoringPointFactory(river=d.river_a2, code="PA2"), 1.2),
        "b1": _sampled(MonitoringPointFactory(river=d.river_b1, code="PB1"), 0.4),
        "b2": _sampled(MonitoringPointFactory(river=d.river_b2, code="PB2"), 2.1),
        "border": _sampled(
            MonitoringPointFactory(river=d.border_river, region=d.village_b1, code="PX"), 1.8
        ),
        "gate": MonitoringPointFactory(
            river=None,
            sluice_gate=SluiceGateFactory(river=d.river_a2),
            region=d.village_a2,
            code="PG",
        ),
        "retired": MonitoringPointFactory(
            river=RiverFactory(region=d.village_a1, code="R-OLD"), is_active=False, code="PR"
        ),
        "quiet": MonitoringPointFactory(river=RiverFactory(region=d.village_a2), code="PQ"),
    }
    d.users = (d.office_a, d.office_b, d.chief_a1, d.chief_b1, d.town_chief_b, d.inspector)
    return d


def _point_queryset_ids(user):
    """The page's former ids: the scoped queryset ordered by the river's code."""
    river_code = River.objects.filter(pk=OuterRef("river_id")).order_by().values("code")
    return list(
        MonitoringPoint.objects.visible_to(user)
        .annotate(river_code=Subquery(river_code))
        .order_by("river_code", "position", "code")
        .values_list("pk", flat=True)
    )


def test_the_point_ids_are_the_points_each_user_may_see_in_the_lists_order(district):
    d = district
    for user in d.users:
        assert selectors.point_ids(user=user) == _point_queryset_ids(user), user.username


def test_the_other_town_sees_none_of_a_towns_points_but_both_see_the_border_rivers(district):
    d, p = district, district.points
    mine = set(selectors.point_ids(user=d.office_a))
    theirs = set(selectors.point_ids(user=d.office_b))
    assert p["border"].pk in mine  # the river crosses village A1, the point stands in B1
    assert p["border"].pk in theirs
    assert {p["b1"].pk, p["b2"].pk}.isdisjoint(mine)
    assert {p["a1"].pk, p["a2"].pk, p["gate"].pk, p["quiet"].pk}.isdisjoint(theirs)
    assert p["gate"].pk in mine  # no river: in town A by its region
    chief = set(selectors.point_ids(user=d.chief_a1))
    assert p["border"].pk in chief
    assert p["a2"].pk not in chief


def test_the_point_rows_are_read_in_the_order_of_their_ids(district, django_assert_num_queries):
    d, p = district, district.points
    ids = [p["b1"].pk, p["gate"].pk, p["a1"].pk]
    with django_assert_num_queries(1):
        rows = selectors.point_rows(ids=ids)
    assert [(r.pk, r.code, r.sample_count) for r in rows] == [
        (p["b1"].pk, "PB1", 1),
        (p["gate"].pk, "PG", 0),
        (p["a1"].pk, "PA1", 1),
    ]
    assert rows[1].river__name is None
    assert rows[1].sluice_gate__name == p["gate"].sluice_gate.name
    assert rows[2].region__name == d.village_a1.name
    with django_assert_num_queries(0):
        assert selectors.point_rows(ids=[]) == []


def test_the_point_page_escapes_what_users_typed(client, district):
    """The rows are markup written in Python: a point's code and name, its river's, gate's
    and region's names typed with markup show as text, as the template's autoescape did."""
    d, p = district, district.points
    typed = '<img src=x onerror="alert(1)">'
    MonitoringPoint.objects.filter(pk=p["gate"].pk).update(name=f"点{typed}", code="G<b>&'x")
    p["gate"].sluice_gate.name = f"闸{typed}"
    p["gate"].sluice_gate.save()
    River.objects.filter(pk=d.river_a1.pk).update(name=f"河{typed}")
    d.village_a2.name = f"村{typed}"
    d.village_a2.save()
    client.force_login(d.office_a)
    html = client.get("/monitoring/points/").content.decode()
    assert typed not in html
    escaped = "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;"
    for text in (f"点{escaped}", f"闸{escaped}", f"河{escaped}", f"村{escaped}"):
        assert text in html
    assert '<td class="code">G&lt;b&gt;&amp;&#x27;x</td>' in html
    # The other town's office sees none of them.
    client.force_login(d.office_b)
    assert "G&lt;b&gt;" not in client.get("/monitoring/points/").content.decode()


def _live(user, village, only):
    return selectors.river_quality_rows(user=user, period=MAY, village=village, only=only)


def test_the_water_quality_list_is_the_live_list_of_each_scope_village_and_filter(district):
    d = district
    for user in d.users:
        for village in (None, d.village_a1, d.village_b1):
            for only in ("", "worse_than_v", "off_target", "black_odour"):
                live = _live(user, village, only)
                listed, summary = selectors.stored_status_list(
                    user=user, period=MAY, village=village, only=only
                )
                rows = listed.rows(0, 50)
                label = (user.username, village and village.name, only)
                assert [r.river.pk for r in rows] == [r.river.pk for r in live], label
                assert [r.status for r in rows] == [r.status for r in live], label
                assert summary["rivers"] == len(live), label
                assert summary["assessed"] == sum(1 for r in live if r.status.water_class)
                assert summary["worse_than_v"] == sum(1 for r in live if r.status.is_worse_than_v)
                assert summary["off_target"] == sum(
                    1 for r in live if r.status.meets_target is False
                )
                assert summary["black_odour"] == sum(1 for r in live if r.status.black_odour)


def test_the_other_town_cannot_see_a_towns_river_status_but_both_see_the_border_river(district):
    d = district

    def rivers(user, village=None):
        listed, _summary = selectors.stored_status_list(user=user, period=MAY, village=village)
        return {r.river.pk for r in listed.rows(0, 50)}

    mine, theirs = rivers(d.office_a), rivers(d.office_b)
    assert d.border_river.pk in mine
    assert d.border_river.pk in theirs
    assert {d.river_b1.pk, d.river_b2.pk}.isdisjoint(mine)
    assert {d.river_a1.pk, d.river_a2.pk}.isdisjoint(theirs)
    assert rivers(d.chief_b1) == {d.river_b1.pk, d.border_river.pk}
    assert rivers(d.office_a, d.village_a2) == {d.river_a2.pk, d.points["quiet"].river_id}


def test_a_water_quality_row_carries_its_rivers_villages_or_its_owners_name(district):
    d = district
    listed, _summary = selectors.stored_status_list(user=d.office_a, period=MAY)
    by_river = {r.river.pk: r for r in listed.rows(0, 50)}
    border = by_river[d.border_river.pk]
    crossed = sorted([d.village_b1, d.village_a1], key=lambda village: village.code)
    assert border.villages == [village.name for village in crossed]  # not town B itself
    assert border.river.region_name == d.town_b.name
    assert by_river[d.river_a1.pk].river.code == d.river_a1.code


def test_the_water_quality_list_takes_one_query_once_stored_and_two_for_a_page(
    district, django_assert_num_queries
):
    d = district
    selectors.stored_status_list(user=d.office_a, period=MAY)  # stores the statuses
    with django_assert_num_queries(1):
        listed, summary = selectors.stored_status_list(user=d.office_a, period=MAY)
    assert summary["rivers"] == 4  # A1, A2, the quiet one, the border river (not the retired)
    with django_assert_num_queries(2):
        assert len(listed.rows(0, 50)) == 4
    with django_assert_num_queries(0):
        assert listed.rows(50, 100) == []

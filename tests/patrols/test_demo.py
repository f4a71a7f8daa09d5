"""The demo year: the reference figure exactly, some flags and findings, and a second run adds
nothing."""

from datetime import date

from patrols import demo
from patrols.models import Finding, Patrol
from patrols.selectors import duty_for, patrol_stats
from rivers import demo as rivers_demo
from rivers.models import Chief
from tests.factories import UserFactory


def test_the_demo_town_has_the_reference_years_patrols_and_is_idempotent(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    rivers_demo.build()
    demo.build()
    admin = UserFactory(username="stats-admin", is_superuser=True, region=None)
    stats = patrol_stats(user=admin, year=2018, group="level")
    town = next(r for r in stats.rows if r.key == "town")
    assert town.patrols == 3344
    assert town.chiefs == 91
    assert stats.sentences[0] == "2018年，91名镇级河长共巡河 3,344 次（人均 36.7 次）。"
    assert Patrol.objects.exclude(flags=[]).exists()
    assert Patrol.objects.filter(review="rejected").exists()
    assert Finding.objects.count() > 100
    assert 0 < Finding.objects.filter(status="open").count() < Finding.objects.count() / 10
    assert Finding.objects.filter(photos__isnull=False).exists()
    march = duty_for(chiefs=Chief.objects.all(), month=date(2018, 3, 1))
    assert 0 < sum(d.behind for d in march.values()) < len(march)

    counts = (Patrol.objects.count(), Finding.objects.count())
    assert demo.build().startswith("patrols +0, findings +0")
    assert (Patrol.objects.count(), Finding.objects.count()) == counts


def test_demo_tracks_follow_a_river_that_has_a_geometry(db, settings, tmp_path):
    from patrols import geo
    from patrols.models import TrackPoint
    from rivers.models import River

    settings.MEDIA_ROOT = tmp_path / "media"
    rivers_demo.build()
    line = {
        "type": "LineString",
        "coordinates": [[121.16, 30.89], [121.16, 30.92], [121.18, 30.93]],
    }
    river = River.objects.get(code="ZJ-Z001")
    river.geometry = line
    river.save()
    demo.build()
    points = list(
        TrackPoint.objects.filter(patrol__river=river).values_list("latitude", "longitude")
    )
    assert points
    assert max(geo.distances_to_river_m(points, line)) < 1

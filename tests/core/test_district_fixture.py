"""The shared two-town district: the ground every permission test stands on."""

import pytest
from django.core.management import call_command

from core.models import Region, User
from rivers.models import ChiefAssignment, River

pytestmark = pytest.mark.django_db


def test_the_fixture_is_a_district_of_two_towns_with_a_river_across_the_border(two_towns):
    d = two_towns
    assert d.town_a.parent == d.town_b.parent == d.district
    assert {d.village_a1.parent, d.village_a2.parent} == {d.town_a}
    assert {d.village_b1.parent, d.village_b2.parent} == {d.town_b}
    assert d.border_river.region == d.town_b
    assert set(d.border_river.regions.all()) == {d.town_b, d.village_b1, d.village_a1}
    assert ChiefAssignment.objects.filter(
        river=d.border_river, reach=d.reach_a1, chief__user=d.chief_a1
    ).exists()


def test_each_town_sees_the_border_river_but_only_its_own_village_rivers(two_towns):
    d = two_towns
    seen_by_a = set(River.objects.visible_to(d.office_a))
    assert {d.river_a1, d.river_a2, d.border_river} <= seen_by_a
    assert not {d.river_b1, d.river_b2} & seen_by_a
    assert set(River.objects.visible_to(d.chief_a2)) == {d.river_a2}


def test_the_demo_is_a_district_of_two_towns_and_zhujing_keeps_its_figures():
    call_command("demo_town", stdout=open("/dev/null", "w"))  # noqa: SIM115
    tinglin = Region.objects.get(name="亭林镇")
    assert tinglin.parent.name == "金山区"
    assert Region.objects.filter(parent=tinglin, kind="village").count() == 2
    assert User.objects.get(username="tl-office").region == tinglin
    border = River.objects.get(code="TL-Z002")
    assert border.region == tinglin
    assert border.regions.filter(name="待泾村").exists()
    # 朱泾镇's own registry is still the reference town's.
    assert River.objects.filter(region__code__startswith="310116102").count() == 188
    assert ChiefAssignment.objects.filter(
        river=border, chief__user__username="c001", reach__village__name="待泾村"
    ).exists()

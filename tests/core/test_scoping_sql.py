"""The scope's region subquery is written out (core.scoping.RegionIdsUnder), not compiled from a
queryset on every request; it must select exactly the regions ``code__startswith`` does."""

import pytest

from core.models import Region
from core.scoping import under_code_q
from rivers.models import Chief, River

pytestmark = pytest.mark.django_db


def test_the_written_out_subquery_selects_the_regions_under_a_code(two_towns):
    d = two_towns
    for region in (d.district, d.town_a, d.town_b, d.village_a1):
        expected = set(Region.objects.filter(code__startswith=region.code))
        assert set(Region.objects.filter(under_code_q("pk", region.code))) == expected
    # LIKE's wildcards in a code are taken literally, never as "any".
    assert not Region.objects.filter(under_code_q("pk", "%")).exists()
    assert not Region.objects.filter(under_code_q("pk", d.town_a.code[:-1] + "_")).exists()


def test_the_other_town_sees_none_of_my_rows_through_it(two_towns):
    d = two_towns
    mine = set(Chief.objects.filter(under_code_q("region", d.town_a.code)))
    assert mine == set(Chief.objects.filter(region__code__startswith=d.town_a.code))
    assert d.chief_b1.chief not in mine
    assert d.chief_a1.chief in mine
    # Negated (exclude) and through a path of foreign keys, as the apps use it.
    others = set(Chief.objects.exclude(under_code_q("region", d.town_a.code)))
    assert others == set(Chief.objects.exclude(region__code__startswith=d.town_a.code))
    rivers = set(River.objects.visible_to(d.office_a))
    assert d.river_b1 not in rivers
    assert {d.river_a1, d.river_a2, d.border_river} <= rivers


def test_a_new_village_is_in_scope_at_once(two_towns):
    from tests import factories

    d = two_towns
    village = factories.VillageFactory(parent=d.town_a)
    river = factories.RiverFactory(region=village)
    assert river in set(River.objects.visible_to(d.office_a))
    assert river not in set(River.objects.visible_to(d.office_b))


def test_rivers_owned_by_or_crossing_a_subtree_are_the_joined_definitions_rows(two_towns):
    from django.db.models import Q

    from rivers.models import in_region_q, in_region_row_q

    d = two_towns
    for region in (d.district, d.town_a, d.town_b, d.village_a1, d.village_b2):
        joined = River.objects.filter(
            Q(region__code__startswith=region.code) | Q(regions__code__startswith=region.code)
        ).distinct()
        assert set(River.objects.filter(in_region_q(region.code))) == set(joined)
        # The same rows tested one by one (a detail page's lookup by id).
        assert set(River.objects.filter(in_region_row_q(region.code))) == set(joined)
    # The river owned by town B that crosses village A1 is seen from A1, not from A2.
    assert d.border_river in River.objects.filter(in_region_q(d.village_a1.code))
    assert d.border_river not in River.objects.filter(in_region_q(d.village_a2.code))

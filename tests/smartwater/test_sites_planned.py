from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from smartwater import services
from smartwater.selectors import sites_planned
from tests import factories

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


def at(*args):
    return datetime(*args, tzinfo=TZ)


def register(d, code, *, river=None, gate=None):
    return services.register_site(
        by=d.office_a
        if (river or gate.river).region.code.startswith(d.town_a.code)
        else d.office_b,
        code=code,
        name=code,
        river=river,
        gate=gate,
        status="proposed",
        latitude="30.9",
        longitude="121.17",
        parameters=["水位"],
        notes="",
    )


def test_sites_planned_counts_distinct_rivers_and_gates_as_they_stood(two_towns):
    d = two_towns
    gate = factories.SluiceGateFactory(river=d.river_a2, region=d.village_a2)
    with time_machine.travel(at(2018, 6, 1, 10), tick=False):
        register(d, "S1", river=d.river_a1)
        register(d, "S2", river=d.river_a1)  # a second site on the same river
        g = register(d, "S3", gate=gate)
        register(d, "S4", river=d.river_b1)  # the other town
    with time_machine.travel(at(2018, 9, 1, 10), tick=False):
        s5 = register(d, "S5", river=d.river_a2)
    with time_machine.travel(at(2019, 3, 1, 10), tick=False):
        services.remove_site(site=g, by=d.office_a)
        services.update_site(site=s5, by=d.office_a, status="installed")

    assert sites_planned(region=d.town_a, at=at(2018, 5, 31)) == {"rivers": 0, "gates": 0}
    assert sites_planned(region=d.town_a, at=at(2018, 7, 1)) == {"rivers": 1, "gates": 1}
    assert sites_planned(region=d.town_a, at=at(2018, 12, 31)) == {"rivers": 2, "gates": 1}
    # The gate's site was removed in 2019; what stood in 2018 does not change.
    assert sites_planned(region=d.town_a, at=at(2019, 12, 31)) == {"rivers": 2, "gates": 0}
    assert sites_planned(region=d.town_b, at=at(2019, 12, 31)) == {"rivers": 1, "gates": 0}
    assert sites_planned(region=d.district, at=at(2018, 12, 31)) == {"rivers": 3, "gates": 1}


def test_a_site_moved_from_a_river_to_a_gate_counts_where_it_stood(two_towns):
    d = two_towns
    gate = factories.SluiceGateFactory(river=d.river_a2, region=d.village_a2)
    with time_machine.travel(at(2018, 6, 1, 10), tick=False):
        site = register(d, "S1", river=d.river_a1)
    with time_machine.travel(at(2018, 8, 1, 10), tick=False):
        services.update_site(
            site=site, by=d.office_a, river=None, gate=gate, latitude=Decimal("30.91")
        )
    assert sites_planned(region=d.town_a, at=at(2018, 7, 1)) == {"rivers": 1, "gates": 0}
    assert sites_planned(region=d.town_a, at=at(2018, 9, 1)) == {"rivers": 0, "gates": 1}

from datetime import date

import pytest

from smallwater import services
from smallwater.selectors import water_bodies_inspected
from tests import factories

pytestmark = pytest.mark.django_db


def test_water_bodies_inspected_counts_classified_bodies_of_the_region_in_the_year(two_towns):
    d = two_towns
    a1 = [factories.WaterBodyFactory(village=d.village_a1) for _ in range(3)]
    b1 = factories.WaterBodyFactory(village=d.village_b1)
    for body, day in zip(a1, (date(2018, 1, 5), date(2018, 1, 31), date(2019, 1, 2)), strict=True):
        services.record_inspection(
            water_body=body, by=d.office_a, classification="fair", inspected_on=day
        )
    services.record_inspection(
        water_body=b1, by=d.office_b, classification="good", inspected_on=date(2018, 1, 9)
    )
    factories.WaterBodyFactory(village=d.village_a2)  # never inspected

    assert water_bodies_inspected(region=d.town_a, year=2018) == 2
    assert water_bodies_inspected(region=d.village_a1, year=2019) == 1
    assert water_bodies_inspected(region=d.town_b, year=2018) == 1
    assert water_bodies_inspected(region=d.district, year=2018) == 3

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from core.models import Region
from public.selectors import articles_published
from smallwater.models import Care, Policy
from smallwater.selectors import water_bodies_inspected
from smartwater.selectors import sites_planned

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


def test_the_demo_gives_the_reference_figures_of_the_public_small_and_smart_water_parts():
    call_command("demo_town", stdout=open("/dev/null", "w"))  # noqa: SIM115
    zhujing = Region.objects.get(code="310116102")
    assert articles_published(region=zhujing, year=2018) == 39
    assert water_bodies_inspected(region=zhujing, year=2018) == 704
    assert (
        Care.objects.filter(
            water_body__village__code__startswith="310116102", inspected_on__month=1
        ).count()
        == 704
    )
    assert Policy.objects.filter(prepared_on__year=2018, prepared_on__month=5).count() == 704
    end_of_2018 = datetime(2018, 12, 31, 23, 59, tzinfo=TZ)
    assert sites_planned(region=zhujing, at=end_of_2018) == {"rivers": 186, "gates": 97}
    # Before the first site was registered, there was none.
    assert sites_planned(region=zhujing, at=datetime(2018, 6, 1, tzinfo=TZ)) == {
        "rivers": 0,
        "gates": 0,
    }

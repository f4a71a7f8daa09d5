from decimal import Decimal

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db.models import Sum

from rivers.models import Chief, ChiefAssignment, River, SluiceGate, WaterBody
from rivers.selectors import vacancies_for

pytestmark = pytest.mark.django_db


def counts():
    """Rows of every model of our apps, history tables included."""
    from django.conf import settings

    return {
        model._meta.label: model.objects.count()
        for app in settings.LOCAL_APPS
        for model in apps.get_app_config(app).get_models()
    }


ZHUJING = "310116102"


def test_the_demo_town_has_the_reports_figures():
    call_command("demo_town", stdout=open("/dev/null", "w"))  # noqa: SIM115
    zhujing = River.objects.filter(region__code__startswith=ZHUJING)
    assert zhujing.count() == 188
    town = zhujing.filter(level="town")
    village = zhujing.filter(level="village")
    assert town.count() == 23
    assert village.count() == 165
    assert town.aggregate(km=Sum("length_km"))["km"] == Decimal("77")
    assert village.aggregate(km=Sum("length_km"))["km"] == Decimal("120")
    assert SluiceGate.objects.count() == 97
    assert WaterBody.objects.count() == 704
    assert Chief.objects.filter(level="town", region__code=ZHUJING).count() == 91
    # Every town-level chief is responsible for one reach.
    assert (
        ChiefAssignment.objects.filter(level="town", chief__region__code=ZHUJING)
        .values("chief")
        .distinct()
        .count()
        == 91
    )


def test_running_the_demo_twice_changes_nothing():
    call_command("demo_town", stdout=open("/dev/null", "w"))  # noqa: SIM115
    first = counts()
    call_command("demo_town", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert counts() == first
    assert first["rivers.HistoricalRiver"] == 188 + 6  # 朱泾镇 and its neighbour 亭林镇


def test_the_demo_town_has_a_chief_for_every_reach_and_level():
    from core.models import User

    call_command("demo_town", stdout=open("/dev/null", "w"))  # noqa: SIM115
    office = User.objects.get(username="office")
    assert vacancies_for(user=office) == []


def test_the_demo_refuses_to_run_with_debug_off_unless_told(settings):
    from django.core.management.base import CommandError

    from core.models import ApiToken

    settings.DEBUG = False
    settings.TESTING = False
    with pytest.raises(CommandError, match="allow-without-debug"):
        call_command("demo_town", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert not ApiToken.objects.exists()
    assert not River.objects.exists()

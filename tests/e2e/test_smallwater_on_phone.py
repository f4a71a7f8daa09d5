"""A village chief, on a 390 px phone, opens a small water body of their village, records the
inspection and the progress of the measure they own."""

from datetime import date
from pathlib import Path

import pytest
from django.conf import settings

from plans.services import create_plan, create_programme
from smallwater import services
from smallwater.models import Care
from tests import factories
from tests.conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SHOTS = Path(settings.BASE_DIR) / "test-results" / "screenshots"


def test_a_village_chief_updates_a_water_body_on_the_phone(phone_page):
    town = factories.TownFactory(name="朱泾镇")
    village = factories.VillageFactory(parent=town, name="待泾村")
    office = factories.UserFactory(username="office1", role="office", region=town)
    chief = factories.UserFactory(username="c001", role="village_chief", region=village)
    factories.ChiefFactory(user=chief, level="village", region=village)
    body = factories.WaterBodyFactory(village=village, name="待泾塘001")
    programme = create_programme(
        name="三年行动",
        region=town,
        start_date=date(2018, 1, 1),
        end_date=date(2030, 12, 31),
        by=office,
    )
    create_plan(programme=programme, title="小微水体方案", region=town, by=office)
    services.assign_responsible(water_body=body, by=office, chief=chief.chief)
    policy = services.prepare_policy(
        water_body=body,
        by=office,
        summary="清淤、截污",
        prepared_on=date(2018, 5, 10),
        measures=[{"title": "清淤疏浚", "owner_unit": "镇水务站", "deadline": date(2030, 6, 30)}],
    )

    phone = phone_page
    login(phone, "c001")
    phone.goto("/smallwater/")
    phone.click("text=待泾塘001")
    phone.wait_for_selector("#inspection-form")
    phone.select_option("select[name=classification]", "poor")
    phone.fill("input[name=inspected_on]", "2018-01-15")
    phone.click("#inspection-form button[type=submit]")
    phone.wait_for_selector("#classification:has-text('三类')")
    assert Care.objects.get(water_body=body).classification == "poor"

    phone.click("#measures a")
    phone.wait_for_selector("#progress-form")
    phone.fill("input[name=progress]", "50")
    phone.fill("textarea[name=note]", "清淤过半")
    phone.click("#progress-form button[type=submit]")
    phone.wait_for_selector("#measures:has-text('50%')")
    assert policy.measures.get().progress == 50
    assert phone.input_value("input[name=inspected_on]") == "2018-01-15"
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    SHOTS.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=str(SHOTS / "smallwater-chief-390.png"), full_page=True)

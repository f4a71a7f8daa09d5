"""The office sees the planned monitoring sites on the map of the register (no tile server)."""

from pathlib import Path

import pytest
from django.conf import settings

from smartwater.services import register_site
from tests import factories
from tests.conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SHOTS = Path(settings.BASE_DIR) / "test-results" / "screenshots"


def test_the_register_shows_its_sites_on_the_map(page, settings):
    settings.MAP_TILE_URL = ""
    town = factories.TownFactory(name="朱泾镇")
    village = factories.VillageFactory(parent=town, name="待泾村")
    office = factories.UserFactory(username="office1", role="office", region=town)
    river = factories.RiverFactory(region=village, name="待泾河")
    gate = factories.SluiceGateFactory(river=river, region=village, name="待泾闸")
    for code, where, lat in (
        ("JC-1", {"river": river}, "30.90"),
        ("JC-2", {"gate": gate}, "30.91"),
    ):
        register_site(
            by=office,
            code=code,
            name=f"{code}监测点",
            river=where.get("river"),
            gate=where.get("gate"),
            status="approved",
            latitude=lat,
            longitude="121.17",
            parameters=["water_level"],
            notes="",
        )
    login(page, "office1")
    page.goto("/smartwater/")
    page.wait_for_selector("#sites-map[data-sites='2']")
    assert page.locator("#sites-map path.leaflet-interactive").count() == 2
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "smartwater-sites-map.png"), full_page=True)

"""Office staff search the registry, open a river and switch to English, in Chromium."""

from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from tests import factories
from tests.conftest import login, require

pytestmark = pytest.mark.e2e

SCREENSHOTS = Path("/tmp")


@pytest.fixture
def registry(town, village, other_village):
    river = factories.RiverFactory(
        code="ZJ-Z001",
        name="朱泾塘",
        level="town",
        region=town,
        regions=[town, village, other_village],
        length_km="6.20",
        target_class=3,
        geometry={"type": "LineString", "coordinates": [[121.16, 30.90], [121.18, 30.91]]},
    )
    factories.RiverFactory(code="ZJ-C001", name="东浜", region=village)
    reach = factories.ReachFactory(river=river, name=f"{village.name}段", village=village)
    chief = factories.ChiefFactory(
        user=factories.UserFactory(role="town_chief", region=town, last_name="王", first_name="伟"),
        level="town",
        region=town,
    )
    factories.AssignmentFactory(chief=chief, river=river, reach=reach, level="town")
    return river


def test_office_staff_search_the_registry_open_a_river_and_read_it_in_english(
    page, town_staff, registry
):
    require(
        (Path(settings.BASE_DIR) / "rivers/locale/en/LC_MESSAGES/django.mo").exists(),
        "compiled English catalogue (scripts/setup compiles it)",
    )
    login(page, town_staff.username)
    page.goto("/rivers/")
    assert page.locator("#result-count").inner_text() == "共 2 条河道"

    page.fill("input[name=q]", "朱泾")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**/rivers/?q=*")
    rows = page.locator("table.registry tbody tr")
    assert rows.count() == 1
    assert "朱泾塘" in rows.first.inner_text()
    page.screenshot(path=str(SCREENSHOTS / "registry-list.png"), full_page=True)

    page.click("text=朱泾塘")
    page.wait_for_selector("h1:has-text('朱泾塘')")
    assert "王伟" in page.inner_text("main")
    # The course is drawn by Leaflet once its script has run: wait for it rather than race it.
    expect(page.locator("#river-map .leaflet-interactive")).to_have_count(1)
    # The reach has a town chief but no village chief yet: a vacancy shows.
    assert "村级" in page.inner_text("main")

    page.select_option("select[name=language]", "en")
    page.wait_for_selector("text=River code")
    main = page.inner_text("main")
    assert "Current chiefs" in main
    assert "Class III" in main
    assert "Vacant" in main
    assert page.locator("html").get_attribute("lang") == "en"
    page.screenshot(path=str(SCREENSHOTS / "registry-river-en.png"), full_page=True)

    # The language choice sticks: the list is in English too.
    page.click("nav.mainnav >> text=River registry")
    page.wait_for_selector("text=2 rivers")

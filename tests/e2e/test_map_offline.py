"""Maps ask nothing outside the machine by default (issue 10 item 13), in Chromium."""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.conftest import login
from tests.e2e.screens import desktop_context, phone_context, shoot

pytestmark = pytest.mark.e2e

LOCAL_HOSTS = {"127.0.0.1", "localhost"}
# One transparent 1x1 PNG, what the stand-in tile server answers.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)


@pytest.fixture
def mapped_town(town, village, other_village):
    river = factories.RiverFactory(
        code="ZJ-Z001",
        name="朱泾塘",
        level="town",
        region=town,
        regions=[town, village, other_village],
        geometry={"type": "LineString", "coordinates": [[121.16, 30.90], [121.18, 30.91]]},
    )
    factories.RiverFactory(
        code="ZJ-C001",
        name="东浜",
        region=village,
        geometry={"type": "LineString", "coordinates": [[121.165, 30.895], [121.17, 30.905]]},
    )
    factories.RiverFactory(code="ZJ-C002", name="西浜", region=village, geometry=None)
    return river


def _record_requests(context) -> list[str]:
    seen: list[str] = []
    context.on("request", lambda request: seen.append(request.url))
    return seen


def _outside(urls: list[str]) -> list[str]:
    return [
        u
        for u in urls
        if urlsplit(u).scheme in ("http", "https") and urlsplit(u).hostname not in LOCAL_HOSTS
    ]


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_a_river_map_asks_no_server_outside_the_machine_and_draws_the_towns_rivers(
    browser, live_server, settings, mapped_town, town_staff, size
):
    settings.MAP_TILE_URL = ""
    settings.MAP_TILE_ATTRIBUTION = ""
    make = desktop_context if size == "desktop" else phone_context
    context = make(browser, live_server)
    seen = _record_requests(context)
    page = context.new_page()
    page.set_default_timeout(15_000)
    login(page, town_staff.username)
    page.goto(f"/rivers/{mapped_town.pk}/")
    expect(page.locator("#river-map[data-base=loaded]")).to_have_count(1)
    # The river itself (interactive) over the base: both rivers with a course of the town.
    expect(page.locator("#river-map .leaflet-interactive")).to_have_count(1)
    expect(page.locator("#river-map .leaflet-overlay-pane path")).to_have_count(3)
    attribution = page.locator("#river-map .leaflet-control-attribution").inner_text()
    assert "河道名录" in attribution
    assert "OpenStreetMap" not in attribution
    shoot(page, f"map-offline-river-{size}")
    context.close()

    assert seen, "the browser made no request at all"
    assert _outside(seen) == []


def test_a_tile_servers_credit_shows_only_once_one_of_its_tiles_loaded(
    browser, live_server, settings, mapped_town, town_staff
):
    settings.MAP_TILE_URL = "http://tiles.example.test/{z}/{x}/{y}.png"
    settings.MAP_TILE_ATTRIBUTION = "© Example Tiles"

    # A tile server that cannot be reached: no credit for a layer that never loaded.
    context = desktop_context(browser, live_server)
    context.route("http://tiles.example.test/**", lambda route: route.abort())
    page = context.new_page()
    page.set_default_timeout(15_000)
    login(page, town_staff.username)
    with page.expect_event("requestfailed", predicate=lambda r: "tiles.example.test" in r.url):
        page.goto(f"/rivers/{mapped_town.pk}/")
    expect(page.locator("#river-map .leaflet-interactive")).to_have_count(1)
    expect(page.locator("#river-map .leaflet-control-attribution")).not_to_contain_text(
        "Example Tiles"
    )
    context.close()

    # The same server answering: its credit appears.
    context = desktop_context(browser, live_server)
    context.route(
        "http://tiles.example.test/**",
        lambda route: route.fulfill(status=200, content_type="image/png", body=PNG),
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    login(page, town_staff.username)
    page.goto(f"/rivers/{mapped_town.pk}/")
    expect(page.locator("#river-map .leaflet-control-attribution")).to_contain_text(
        "© Example Tiles"
    )
    shoot(page, "map-tiles-credited-desktop")
    context.close()

"""The office's overview in Chromium, desktop and 390 px: the dashboard's charts, the town map
with the network cut (nothing asked outside the machine), a scorecard with its breakdown, the
annual report with its PDF and Excel. Screenshots under test-results/screenshots/."""

from datetime import datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from directives import services as directives
from overview.demo import build as build_boundaries
from overview.services.assessment import compute_scorecards
from patrols.models import DutyRule, TrackPoint
from tests import factories
from tests.conftest import login
from tests.e2e.screens import PHONE, desktop_context, phone_context, shoot
from tests.monitoring.factories import MonitoringPointFactory, SampleFactory, at
from tests.patrols.factories import PatrolFactory

pytestmark = pytest.mark.e2e
# A shared machine of two cores: charts and maps may take longer than the default 5 s to draw.
expect.set_options(timeout=20_000)

SH = ZoneInfo("Asia/Shanghai")
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
SIZES = ["desktop", "phone"]


@pytest.fixture
def town_a(two_towns):
    """Town A with water, orders, patrols and tracks, boundaries, and last month assessed."""
    d = two_towns
    # A live-server test flushes the tables after itself, the default duty rules that
    # patrols' data migration wrote among them: the village chiefs' weekly rule comes back here.
    DutyRule.objects.get_or_create(level="village", period="week", defaults={"times": 1})
    today = timezone.localdate()
    last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    courses = {
        d.river_a1: [[121.16, 30.89], [121.17, 30.90], [121.18, 30.905]],
        d.river_a2: [[121.15, 30.91], [121.16, 30.915], [121.17, 30.92]],  # straight: clickable mid
    }
    for river, coords in courses.items():
        river.geometry = {"type": "LineString", "coordinates": coords}
        river.save()
        point = MonitoringPointFactory(river=river, latitude="30.9", longitude="121.17")
        SampleFactory(point=point, sampled_at=at(last_month.year, last_month.month, 10),
                      nh3n=6.1, do=3.0)  # fmt: skip
    factories.SluiceGateFactory(river=d.river_a1, region=d.village_a1,
                                latitude="30.895", longitude="121.165")  # fmt: skip
    directives.issue_directive(
        issued_by=d.office_a, river=d.river_a1, title="河面漂浮垃圾", description="桥下",
        issued_on=today - timedelta(days=20), deadline=today - timedelta(days=5),
        source="phone_report", target_village=d.village_a1,
    )  # fmt: skip
    started = datetime.combine(last_month + timedelta(days=9), datetime.min.time(), tzinfo=SH)
    for when in (started, timezone.now() - timedelta(days=2)):
        patrol = PatrolFactory(chief=d.chief_a1.chief, river=d.river_a1, started_at=when)
        TrackPoint.objects.bulk_create(
            TrackPoint(
                patrol=patrol,
                latitude=30.89 + k / 500,
                longitude=121.16 + k / 500,
                recorded_at=when + timedelta(minutes=5 * k),
            )
            for k in range(6)
        )
    build_boundaries()
    compute_scorecards(town=d.town_a, month=last_month)
    d.last_month = last_month
    return d


def _context(browser, live_server, size):
    make = desktop_context if size == "desktop" else phone_context
    context = make(browser, live_server)
    return context


def _page(context):
    page = context.new_page()
    page.set_default_timeout(20_000)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.script_errors = errors
    return page


def _fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1


@pytest.mark.parametrize("size", SIZES)
def test_the_dashboard_draws_its_charts_and_links_each_figure(browser, live_server, town_a, size):
    context = _context(browser, live_server, size)
    page = _page(context)
    login(page, town_a.office_a.username)
    page.goto("/")
    expect(page.locator("#water-chart canvas")).to_have_count(1)
    assert page.script_errors == []
    expect(page.locator("#duty-chart canvas")).to_have_count(1)
    expect(page.locator("[data-figure=worse_than_v] .num")).to_have_text("2")
    if size == "phone":
        assert _fits_the_phone(page)
    shoot(page, f"overview-dashboard-{size}")
    page.click("[data-figure=orders_overdue]")
    page.wait_for_url("**/directives/?overdue=true")
    context.close()


@pytest.mark.parametrize("size", SIZES)
def test_the_town_map_draws_every_layer_with_the_network_cut(
    browser, live_server, settings, town_a, size
):
    settings.MAP_TILE_URL = ""
    settings.MAP_TILE_ATTRIBUTION = ""
    context = _context(browser, live_server, size)
    outside: list[str] = []

    def cut(route):
        url = urlsplit(route.request.url)
        if url.scheme in ("http", "https") and url.hostname not in LOCAL_HOSTS:
            outside.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    context.route("**/*", cut)
    page = _page(context)
    login(page, town_a.office_a.username)
    page.goto("/overview/map/")
    expect(page.locator("#map[data-layers=loaded]")).to_have_count(1)
    expect(page.locator("#map[data-base=loaded]")).to_have_count(1)
    # Rivers, black-odour-free here; gate, point, order, 2 tracks, 2 village boundaries.
    assert int(page.get_attribute("#map", "data-features")) >= 8
    expect(page.locator("#map-legend span")).to_have_count(8)
    expect(page.locator(".leaflet-control-layers")).to_have_count(1)
    if size == "phone":
        assert _fits_the_phone(page)
    shoot(page, f"overview-map-{size}")
    assert outside == []
    context.close()


def test_a_click_on_a_river_of_the_map_opens_its_page(browser, live_server, settings, town_a):
    settings.MAP_TILE_URL = ""
    context = _context(browser, live_server, "desktop")
    page = _page(context)
    login(page, town_a.office_a.username)
    page.goto(f"/overview/map/?village={town_a.village_a2.pk}")
    expect(page.locator("#map[data-layers=loaded]")).to_have_count(1)
    river = page.locator("#map path.leaflet-interactive[stroke='#a50026']").first
    river.click(force=True)
    page.wait_for_url(f"**/rivers/{town_a.river_a2.pk}/")
    context.close()


@pytest.mark.parametrize("size", SIZES)
def test_a_scorecard_shows_its_breakdown_down_to_the_records(browser, live_server, town_a, size):
    context = _context(browser, live_server, size)
    page = _page(context)
    login(page, town_a.office_a.username)
    page.goto(f"/overview/scorecards/?month={town_a.last_month:%Y-%m}&subject=chief")
    page.get_by_role("link", name=town_a.chief_a1.display_name).first.click()
    expect(page.locator("#breakdown")).to_be_visible()
    row = page.locator("tr[data-item=patrol_duty]")
    row.locator("summary").click()
    expect(row.locator("ul.records a")).to_have_count(1)
    if size == "phone":
        assert _fits_the_phone(page)
    shoot(page, f"overview-scorecard-{size}")
    row.locator("ul.records a").click()
    page.wait_for_url("**/patrols/*/")
    context.close()


@pytest.mark.parametrize("size", SIZES)
def test_the_annual_report_opens_with_its_pdf_and_excel(browser, live_server, town_a, size):
    context = _context(browser, live_server, size)
    page = _page(context)
    login(page, town_a.office_a.username)
    year = timezone.localdate().year
    page.goto(f"/overview/report/?year={year}")
    expect(page.locator("tr[data-key=orders_issued] td.num")).to_have_text("1")
    if size == "phone":
        assert _fits_the_phone(page)
    shoot(page, f"overview-report-{size}")
    pdf = page.request.get(page.get_attribute("#report-pdf", "href"))
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.body()[:4] == b"%PDF"
    with page.expect_download() as download:
        page.click("#report-xlsx")
    assert download.value.suggested_filename == f"report-{town_a.town_a.code}-{year}.xlsx"
    context.close()

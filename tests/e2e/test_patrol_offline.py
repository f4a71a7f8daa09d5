"""The patrol page as an installable app that reopens with no coverage (issue 10 items 2-3)."""

import json

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

from patrols.models import Patrol
from tests.conftest import login
from tests.e2e.screens import desktop_context, phone_context, shoot
from tests.patrols.factories import chief_on_river

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

GEO = {"latitude": 30.9, "longitude": 121.17}


def _phone(browser, live_server):
    context = phone_context(browser, live_server, geolocation=GEO, permissions=["geolocation"])
    page = context.new_page()
    page.set_default_timeout(20_000)
    return context, page


def _walk(page, start: int, stop: int) -> None:
    for i in range(start, stop):
        page.context.set_geolocation({"latitude": 30.9 + i * 0.001, "longitude": 121.17})
        page.wait_for_function(
            "(n) => Number(document.getElementById('points').textContent) >= n", arg=i
        )


def _no_coverage(route) -> None:
    route.abort("internetdisconnected")


def _offline(context, offline: bool) -> None:
    """No coverage, also for the requests Chromium's offline emulation lets through once a
    service worker controls the page (microsoft/playwright#2311: under load the page's
    retried POST reached the server "offline"): the API refuses as a dead network would."""
    context.set_offline(offline)
    if offline:
        context.route("**/api/v1/**", _no_coverage)
    else:
        context.unroute("**/api/v1/**", _no_coverage)


def _controlled(page) -> None:
    """Waits until the service worker controls the page and has kept the patrol page.

    The worker keeps a page on install and on every load it serves; one load under its
    control makes sure of the second whatever the install's timing was.
    """
    # The worker's install fetches the pages' static files; on a loaded machine one of those
    # fetches can fail, and then the install fails as a whole. A phone retries on its next page
    # load (every page registers the worker), and so does this wait.
    for attempt in range(4):
        try:
            page.wait_for_function(
                "() => !!navigator.serviceWorker && !!navigator.serviceWorker.controller",
                timeout=20_000,
            )
            break
        except PlaywrightTimeoutError:
            if attempt == 3:
                raise
            page.reload()
    page.reload()
    page.wait_for_function(
        "() => caches.open('hz-pages').then(c => c.match(location.origin + '/patrols/start/'))"
        ".then(r => !!r)"
    )


def test_the_patrol_page_reopens_offline_and_the_buffered_patrol_resumes_and_syncs_once(
    browser, live_server, village
):
    chief, river = chief_on_river(village)
    context, page = _phone(browser, live_server)
    created = []
    page.on(
        "response",
        lambda r: (
            created.append(r.status)
            if r.request.method == "POST" and r.url.endswith("/api/v1/patrols/")
            else None
        ),
    )
    login(page, chief.user.username)
    page.goto("/patrols/start/")
    page.reload()  # the second load is the service worker's
    _controlled(page)

    _offline(context, True)
    page.select_option("#river", str(river.pk))
    page.click("#start")
    page.wait_for_selector("#step-run:not([hidden])")
    _walk(page, 1, 4)
    expect(page.locator("#net")).to_contain_text("离线")

    # The camera reloads the tab, with no coverage: the page opens and recording goes on.
    page.reload()
    expect(page.locator("#step-run")).to_be_visible()
    # Nothing recorded before the reload is lost (the watch adds the current fix on resuming).
    assert int(page.text_content("#points")) >= 3
    _walk(page, 4, 7)
    shoot(page, "patrol-offline-reloaded-phone")
    assert Patrol.objects.count() == 0

    # The river list opens offline too.
    river_list = context.new_page()
    river_list.goto("/rivers/")
    expect(river_list.locator("main")).to_contain_text(river.name)
    river_list.close()

    recorded = int(page.text_content("#points"))
    _offline(context, False)
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#finish")
    page.wait_for_selector("#done-link:not([hidden])", timeout=30_000)
    shoot(page, "patrol-offline-synced-phone")
    patrol = Patrol.objects.get()
    assert patrol.status == Patrol.Status.FINISHED
    assert patrol.point_count == recorded
    # Synced once: one patrol on the server (``get`` above) with every point. The page's own
    # view of the POST is a floor only: a request Chromium sends on behalf of the service
    # worker is not always one the page's listener sees (microsoft/playwright#2311).
    assert created.count(201) <= 1
    context.close()


def test_sync_retries_with_backoff_while_requests_fail_though_the_phone_says_online(
    browser, live_server, village
):
    chief, river = chief_on_river(village)
    context, page = _phone(browser, live_server)
    login(page, chief.user.username)
    page.goto("/patrols/start/")
    tries = []

    def refuse(route):
        tries.append(route.request.url)
        route.abort("connectionfailed")

    page.route("**/api/v1/patrols/", refuse)
    page.select_option("#river", str(river.pk))
    page.click("#start")
    assert page.evaluate("() => navigator.onLine") is True
    # Not one try and a long wait: more tries come within seconds (after 2 s, then 4 s...).
    expect(page.locator("#net")).to_contain_text("离线")
    page.wait_for_event("requestfailed", timeout=10_000)
    page.wait_for_event("requestfailed", timeout=10_000)
    assert len(tries) >= 3
    expect(page.locator("#net")).to_contain_text("离线")

    page.unroute("**/api/v1/patrols/")
    expect(page.locator("#net")).to_contain_text("在线", timeout=30_000)
    assert Patrol.objects.filter(river=river).count() == 1
    context.close()


def test_the_location_line_gives_a_reason_and_clears_on_the_next_good_fix(
    browser, live_server, village
):
    chief, river = chief_on_river(village)
    context, page = _phone(browser, live_server)
    # Keep the page's error callback so that the test can play one transient failure.
    context.add_init_script(
        """
        (function () {
          var watch = navigator.geolocation.watchPosition.bind(navigator.geolocation);
          navigator.geolocation.watchPosition = function (ok, fail, options) {
            window.__geoFail = function (code) { fail({ code: code, message: "" }); };
            return watch(ok, fail, options);
          };
        })();
        """
    )
    login(page, chief.user.username)
    page.goto("/patrols/start/")
    page.select_option("#river", str(river.pk))
    page.click("#start")
    page.wait_for_selector("#step-run:not([hidden])")
    _walk(page, 1, 2)

    page.evaluate("() => window.__geoFail(2)")
    status = page.locator("#status")
    expect(status).to_contain_text("暂时收不到定位信号")
    assert status.inner_text().strip() != "无法获取位置："
    shoot(page, "patrol-location-problem-phone")

    _walk(page, 2, 3)
    expect(status).not_to_contain_text("无法获取位置")
    expect(status).to_contain_text("定位已恢复")
    context.close()


def test_the_manifest_and_the_service_worker_make_an_installable_app(client, village):
    chief, _river = chief_on_river(village)
    client.force_login(chief.user)
    manifest = client.get("/manifest.webmanifest")
    assert manifest["Content-Type"] == "application/manifest+json"
    data = json.loads(manifest.content)
    assert data["display"] == "standalone"
    assert data["start_url"] == "/"
    assert {"192x192", "512x512"} <= {i["sizes"] for i in data["icons"]}
    for icon in data["icons"]:
        assert finders.find(icon["src"].removeprefix(settings.STATIC_URL).lstrip("/"))

    worker = client.get("/sw.js")
    assert worker.status_code == 200
    assert worker["Content-Type"].startswith("text/javascript")
    assert worker["Service-Worker-Allowed"] == "/"
    assert "no-cache" in worker["Cache-Control"]
    body = worker.content.decode()
    for kept in ("/patrols/start/", "/rivers/", "patrols/patrol.js"):
        assert kept in body


def test_a_desktop_page_links_the_manifest_and_the_icon(browser, live_server, village):
    chief, _river = chief_on_river(village)
    context = desktop_context(browser, live_server)
    page = context.new_page()
    login(page, chief.user.username)
    page.goto("/patrols/start/")
    assert page.locator("link[rel=manifest]").count() == 1
    assert page.locator("link[rel=icon]").count() == 1
    shoot(page, "patrol-start-desktop")
    context.close()


def test_logging_out_drops_the_pages_kept_for_the_user(browser, live_server, village):
    chief, _river = chief_on_river(village)
    context, page = _phone(browser, live_server)
    login(page, chief.user.username)
    page.goto("/patrols/start/")
    page.reload()
    _controlled(page)
    page.click("form[action='/logout/'] button")
    page.wait_for_url(lambda url: "/patrols/start/" not in url)
    page.wait_for_function(
        "() => caches.open('hz-pages').then(c => c.keys()).then(keys => keys.length === 0)"
    )
    context.close()

"""Every filter the README names is visible and usable on desktop and phone (issue 10 item 7)."""

import pytest
from playwright.sync_api import expect

from tests.conftest import login
from tests.e2e.screens import desktop_context, phone_context, shoot

pytestmark = pytest.mark.e2e

PAGES = {
    "/rivers/": ["q", "level", "village", "target_class", "length_min", "length_max"],
    "/rivers/vacancies/": ["q", "level", "village", "target_class", "length_min", "length_max"],
    "/rivers/chiefs/": ["q", "level", "title", "village"],
}


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_every_registry_chief_and_vacancy_filter_is_visible_and_usable(
    browser, live_server, two_towns, size
):
    make = desktop_context if size == "desktop" else phone_context
    context = make(browser, live_server)
    page = context.new_page()
    page.set_default_timeout(15_000)
    login(page, two_towns.office_a.username)
    for url, names in PAGES.items():
        page.goto(url)
        for name in names:
            expect(page.locator(f"form.filters [name={name}]")).to_be_visible()
        shoot(page, f"filters{url.replace('/', '-').rstrip('-')}-{size}")

    # Usable: choosing a village narrows the registry to it (and the border river crossing it).
    page.goto("/rivers/")
    page.select_option("form.filters select[name=village]", label=two_towns.village_a2.name)
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**/rivers/?*village=*")
    rows = page.locator("table.registry tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(two_towns.river_a2.name)
    # And its choice stays on show after the search.
    expect(page.locator("form.filters select[name=village]")).to_be_visible()
    context.close()

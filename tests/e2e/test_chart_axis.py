"""The patrol statistics chart keeps its axis labels inside (issue 10 item 11), in Chromium."""

from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.conftest import login
from tests.e2e.screens import desktop_context, phone_context, shoot
from tests.patrols.factories import PatrolFactory

pytestmark = pytest.mark.e2e

LABELS_OUTSIDE_JS = """() => {
  const box = document.getElementById('chart').getBoundingClientRect();
  const out = [];
  for (const t of document.querySelectorAll('#chart svg text')) {
    const r = t.getBoundingClientRect();
    if (!r.width) continue;
    if (r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1 ||
        r.bottom > box.bottom + 1) out.push(t.textContent);
  }
  return out;
}"""


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_no_axis_label_of_the_patrol_chart_is_cut_off(browser, live_server, two_towns, size):
    d = two_towns
    for i in range(10):
        user = factories.UserFactory(
            role="village_chief", region=d.village_a1, last_name="欧阳", first_name=f"明轩{i}号"
        )
        chief = factories.ChiefFactory(user=user, region=d.village_a1, level="village")
        for day in range(1, 1 + (i + 1) * 3):
            PatrolFactory(
                chief=chief,
                river=d.river_a1,
                started_at=datetime(2018, 3, min(day, 28), 1, day % 50, tzinfo=UTC),
            )
    make = desktop_context if size == "desktop" else phone_context
    context = make(browser, live_server)
    page = context.new_page()
    page.set_default_timeout(20_000)
    login(page, d.office_a.username)
    page.goto("/patrols/stats/?year=2018&group=chief")
    expect(page.locator("#chart svg text").first).to_be_attached()
    assert page.evaluate(LABELS_OUTSIDE_JS) == []
    shoot(page, f"patrol-stats-chart-{size}")
    context.close()

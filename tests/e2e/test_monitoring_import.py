"""In Chromium, as the office would: import a lab spreadsheet and watch the progress bar (a real
Celery worker on Redis does the work), then open the worse-than-Class-V list and a river's chart.
"""

import pytest

from tests.conftest import login
from tests.factories import RiverFactory, TownFactory, UserFactory, VillageFactory
from tests.monitoring.factories import MonitoringPointFactory, SampleFactory, at
from tests.monitoring.labfiles import HEADER, xlsx_bytes

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

POINTS = 20
HOURS = 600  # 20 points × 600 hourly samples = 12,000 rows


@pytest.fixture
def worker(celery_worker_process):
    """The shared fixture closes the app's connection pool (``app.pool.force_close_all()``) but
    the closed pool stays registered in kombu and held by the app and its producer pool, so the
    next send fails with "Acquire on closed pool". Clear them so they are rebuilt for Redis.
    """
    from kombu import pools

    from config.celery import app

    def fresh_pools():
        pools.reset()
        app._pool = None
        app.amqp._producer_pool = None

    fresh_pools()
    yield celery_worker_process
    fresh_pools()


def _lab_file(tmp_path):
    rows = []
    for p in range(POINTS):
        for h in range(HOURS):
            day, hour = divmod(h, 24)
            rows.append(
                [
                    len(rows) + 1,
                    f"E2E-{p:02d}",
                    f"2018-03-{1 + day % 28:02d} {hour:02d}:{(day // 28) * 10:02d}",
                    "王芳",
                    "朱泾镇水质检测室",
                    "12.5",
                    "7.4",
                    "6.1",
                    "4.2",
                    "0.48" if p else "2.6",
                    "0.09",
                    "1.9",
                    "45",
                    "150",
                ]
            )
    path = tmp_path / "三月化验单.xlsx"
    path.write_bytes(xlsx_bytes(rows, HEADER))
    return path


def test_the_office_imports_a_lab_spreadsheet_and_opens_the_worse_than_v_chart(
    worker, page, tmp_path
):
    town = TownFactory(name="朱泾镇")
    village = VillageFactory(parent=town, name="待泾村")
    office = UserFactory(role="office", region=town, username="office-e2e")
    black_river = RiverFactory(region=village, name="横老泾", target_class=4)
    for p in range(POINTS):
        river = black_river if p == 0 else RiverFactory(region=village, name=f"清水河{p}")
        MonitoringPointFactory(river=river, code=f"E2E-{p:02d}", name=f"{river.name}断面")
    # February figures, so the river page has a trend against the previous month
    SampleFactory(
        point__river=black_river, point__code="E2E-X", sampled_at=at(2018, 2, 5), nh3n=1.2
    )
    path = _lab_file(tmp_path)

    login(page, office.username)
    page.goto("/monitoring/imports/")
    page.set_input_files("input[name=file]", str(path))
    page.click("#import-form button[type=submit]")
    page.wait_for_url("**/monitoring/imports/*/")

    # The progress bar shows while the worker checks the file, then the preview replaces it.
    page.wait_for_selector("[role=progressbar]", timeout=10_000)
    seen = set()
    for _ in range(120):
        bar = page.query_selector("[role=progressbar]")
        if bar is None:
            break
        seen.add(int(bar.get_attribute("aria-valuenow")))
        page.wait_for_timeout(250)
    assert seen, "the progress bar was never shown"
    page.wait_for_selector("#confirm-import", timeout=60_000)
    assert "将新增 12000 份水样" in page.inner_text("#preview-summary")
    page.screenshot(path="/tmp/monitoring-import-preview.png", full_page=True)

    page.click("#confirm-import")
    page.wait_for_selector("#import-done", timeout=90_000)
    assert "已导入 12000 份水样" in page.inner_text("#import-done")

    page.goto("/monitoring/?period=2018-03&only=worse_than_v")
    rows = page.locator("#river-quality tbody tr")
    assert rows.count() == 1
    assert "横老泾" in rows.first.inner_text()
    assert "劣Ⅴ类" in rows.first.inner_text()
    page.screenshot(path="/tmp/monitoring-list.png", full_page=True)

    page.click("#river-quality a:has-text('横老泾')")
    page.wait_for_selector("#charts[data-ready='1']")
    assert page.locator(".chart[data-param=nh3n] canvas").count() == 1
    assert "劣Ⅴ类" in page.inner_text("#river-status")
    assert "变差" in page.inner_text("#river-status")
    page.screenshot(path="/tmp/monitoring-river.png", full_page=True)

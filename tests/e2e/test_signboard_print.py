"""In Chromium, as the office would: ask for a village's signboards, watch the print page poll
while a real Celery worker on Redis renders and joins the chunks, then download the PDF."""

import pytest

from tests.conftest import login
from tests.factories import RiverFactory, TownFactory, UserFactory, VillageFactory

pytestmark = [pytest.mark.e2e, pytest.mark.integration]


@pytest.fixture
def worker(celery_worker_process):
    """Fresh kombu pools around the worker (see tests/e2e/test_monitoring_import.py)."""
    from kombu import pools

    from config.celery import app

    def fresh_pools():
        pools.reset()
        app._pool = None
        app.amqp._producer_pool = None

    fresh_pools()
    yield celery_worker_process
    fresh_pools()


def test_the_office_asks_for_the_signboards_and_downloads_them_when_the_worker_is_done(
    worker, page
):
    town = TownFactory(name="朱泾镇")
    village = VillageFactory(parent=town, name="待泾村")
    other = VillageFactory(parent=town, name="秀州村")
    office = UserFactory(role="office", region=town, username="office-e2e-print")
    for name in ("横老泾", "待泾浜"):
        RiverFactory(region=village, name=name)
    RiverFactory(region=other, name="秀州河")

    login(page, office.username)
    page.goto("/public/office/")
    page.select_option("select[name=village]", str(village.pk))
    page.click("#print-request")
    page.wait_for_url("**/public/office/signboards/*/")
    # The page polls (htmx) until the worker has joined the chunks, then offers the file.
    page.wait_for_function(
        "() => document.querySelector('#print-status')?.dataset.status === 'done'",
        timeout=120_000,
    )
    assert "2" in page.inner_text("#print-status")
    href = page.get_attribute("#print-download", "href")
    response = page.request.get(href)
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")
    page.screenshot(path="/tmp/signboard-print-done.png", full_page=True)

    page.goto("/public/office/")
    assert "待泾村" in page.inner_text("#print-list")

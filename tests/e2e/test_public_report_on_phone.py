"""On a 390 px phone with no login: open a river's signboard from its QR code, report a problem
with a photo, get a receipt and follow it; the office turns the report into an order."""

import io
from datetime import timedelta
from pathlib import Path

import pytest
import segno
from django.conf import settings
from django.utils import timezone
from PIL import Image

from public.models import Report
from public.pdf import signboard_url
from tests import factories
from tests.conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SHOTS = Path(settings.BASE_DIR) / "test-results" / "screenshots"


def _jpeg(path: Path) -> Path:
    buf = io.BytesIO()
    Image.new("RGB", (640, 480), (40, 140, 60)).save(buf, "JPEG")
    path.write_bytes(buf.getvalue())
    return path


@pytest.fixture
def scene():
    town = factories.TownFactory(name="朱泾镇")
    village = factories.VillageFactory(parent=town, name="待泾村")
    office = factories.UserFactory(username="office1", role="office", region=town)
    chief = factories.UserFactory(
        username="c001", role="village_chief", region=village, last_name="王", first_name="芳"
    )
    factories.ChiefFactory(user=chief, level="village", region=village, position="村党组织书记")
    river = factories.RiverFactory(region=village, name="待泾河", code="ZJ-C001")
    factories.AssignmentFactory(chief=chief.chief, river=river, level="village")
    return {"river": river, "office": office, "chief": chief, "village": village}


def test_a_resident_reports_from_a_signboard_and_the_office_orders_it(
    client, phone_page, page, scene, live_server, settings, tmp_path
):
    SHOTS.mkdir(parents=True, exist_ok=True)
    settings.SITE_URL = live_server.url
    river = scene["river"]

    # The printed QR code carries the signboard's URL.
    url = signboard_url(river)
    qr = client.get(f"/public/r/{river.code}/qr.svg").content
    expected = io.BytesIO()
    segno.make(url, error="m").save(expected, kind="svg", scale=6, border=2, xmldecl=False)
    assert qr == expected.getvalue()

    phone = phone_page
    phone.goto(url)
    phone.wait_for_selector("#signboard")
    phone.wait_for_function("() => document.querySelector('.qr img').naturalWidth > 0")
    assert "待泾河" in phone.inner_text("h1")
    assert "王芳" in phone.inner_text("#chiefs")
    assert scene["chief"].phone not in phone.content()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.screenshot(path=str(SHOTS / "public-1-signboard-390.png"), full_page=True)

    phone.click("#report-link")
    phone.wait_for_selector("#report-form")
    phone.select_option("select[name=category]", "garbage")
    phone.fill("textarea[name=text]", "桥下漂浮垃圾成片，气味很大")
    phone.fill("input[name=location]", "待泾河桥下")
    honeypot = phone.locator("input[name=website]").bounding_box()
    assert honeypot["x"] + honeypot["width"] < 0  # out of a person's sight
    phone.set_input_files("#id_photos", str(_jpeg(tmp_path / "river.jpg")))
    phone.click("#locate")
    phone.wait_for_function("() => document.getElementById('id_latitude').value !== ''")
    phone.fill("input[name=contact_phone]", "13912345678")
    phone.screenshot(path=str(SHOTS / "public-2-report-form-390.png"), full_page=True)
    phone.click("#submit-report")

    phone.wait_for_selector("#receipt-number")
    receipt = phone.inner_text("#receipt-number").strip()
    report = Report.objects.get(receipt=receipt)
    assert report.photos.count() == 1
    assert float(report.latitude) == pytest.approx(30.9)
    assert "13912345678" not in phone.content()
    phone.screenshot(path=str(SHOTS / "public-3-receipt-390.png"), full_page=True)

    phone.click("#status-link")
    phone.wait_for_selector("#report-status")
    assert phone.inner_text("#report-status").strip() == "已受理"

    # The office, at its desk, turns the report into a supervision order in one action.
    login(page, "office1")
    page.goto("/public/office/reports/")
    page.click(f"text={receipt}")
    page.wait_for_selector("#order-form")
    page.fill("input[name=deadline]", (timezone.localdate() + timedelta(days=7)).isoformat())
    page.select_option("select[name=target_village]", str(scene["village"].pk))
    page.click("#to-order")
    page.wait_for_selector("#order-link")
    number = page.inner_text("#order-link").strip()
    page.screenshot(path=str(SHOTS / "public-4-office-ordered.png"), full_page=True)

    # The resident follows it: the order's number and deadline, no personal data.
    phone.reload()
    phone.wait_for_selector("#steps")
    assert phone.inner_text("#report-status").strip() == "已转督办"
    assert number in phone.inner_text("#steps")
    assert "13912345678" not in phone.content()
    phone.screenshot(path=str(SHOTS / "public-5-status-ordered-390.png"), full_page=True)

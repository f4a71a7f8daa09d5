"""In Chromium as a new user would: a patrol finding becomes an order, the village chief
rectifies it on a phone with a photo, the office verifies and closes it."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image

from tests import factories
from tests.conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _jpeg() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (320, 240), (40, 140, 60)).save(buf, "JPEG")
    return buf.getvalue()


@pytest.fixture
def scene():
    from patrols.models import Finding

    town = factories.TownFactory(name="朱泾镇")
    village = factories.VillageFactory(parent=town, name="待泾村")
    office = factories.UserFactory(username="office1", role="office", region=town)
    chief_user = factories.UserFactory(
        username="c001", role="village_chief", region=village, last_name="王", first_name="芳"
    )
    town_chief = factories.ChiefFactory(
        user=factories.UserFactory(username="z001", role="town_chief", region=town),
        level="town",
        region=town,
    )
    factories.ChiefFactory(user=chief_user, level="village", region=village, superior=town_chief)
    river = factories.RiverFactory(region=village, name="待泾河")
    finding = Finding.objects.create(
        river=river,
        region=village,
        category=Finding.Category.GARBAGE,
        note="待泾河桥下漂浮垃圾成片",
        found_at=timezone.now() - timedelta(hours=3),
        reported_by=town_chief.user,
    )
    return {"finding": finding, "office": office, "chief": chief_user}


def test_a_finding_becomes_an_order_that_is_rectified_on_a_phone_and_closed(
    page, phone_page, scene
):
    finding = scene["finding"]
    # The office turns the finding into an order: the form comes prefilled.
    login(page, "office1")
    page.goto(f"/patrols/findings/{finding.pk}/")
    page.click("text=转为督办单")
    page.wait_for_selector("#order-form")
    assert page.input_value("input[name=title]").startswith("待泾河")
    assert "漂浮垃圾成片" in page.input_value("textarea[name=description]")
    deadline = timezone.localdate() + timedelta(days=7)
    page.fill("input[name=deadline]", deadline.isoformat())
    page.click("#order-form button[type=submit]")
    page.wait_for_selector("#timeline")
    assert "朱泾河长办督〔" in page.content()
    order_url = page.url
    page.screenshot(path="/tmp/directives-detail-issued.png", full_page=True)
    finding.refresh_from_db()
    assert finding.status == "ordered"

    # The village chief, on a phone, sees it, accepts it and submits a photo.
    login(phone_page, "c001")
    phone_page.goto("/directives/")
    phone_page.wait_for_selector("article.phone-card")
    assert "待泾河" in phone_page.inner_text("article.phone-card h3")
    phone_page.click("article.phone-card button:has-text('签收')")
    phone_page.wait_for_selector("article.phone-card summary")
    phone_page.click("article.phone-card summary")
    phone_page.fill("article.phone-card textarea[name=text]", "已组织打捞，桥下垃圾清理完毕")
    phone_page.set_input_files(
        "article.phone-card input[name=after_photos]",
        files=[{"name": "after.jpg", "mimeType": "image/jpeg", "buffer": _jpeg()}],
    )
    phone_page.screenshot(path="/tmp/directives-phone-rectify.png", full_page=True)
    phone_page.click("article.phone-card button:has-text('提交整改')")
    phone_page.wait_for_selector("text=待河长办核查")

    # The office verifies and closes it; the timeline shows every step.
    page.goto(order_url)
    assert page.locator(".rectification img").count() == 1
    page.fill("#actions textarea[name=note]", "现场核查，整改到位")
    page.click("button:has-text('核查通过，销号')")
    page.wait_for_selector("text=已核查销号")
    kinds = page.eval_on_selector_all("#timeline li", "els => els.map(e => e.dataset.kind)")
    assert kinds == ["issued", "accepted", "submitted", "closed"]
    assert page.inner_text("#order-status") == "已销号"
    page.screenshot(path="/tmp/directives-detail-closed.png", full_page=True)
    # The order links to its finding, which is now resolved.
    page.click("a:has-text('巡河发现问题')")
    page.wait_for_url(f"**/patrols/findings/{finding.pk}/")
    finding.refresh_from_db()
    assert finding.status == "resolved"


def test_the_office_turns_a_phone_report_into_an_order_from_the_board(page, scene):
    login(page, "office1")
    page.goto("/directives/")
    page.click("text=新建督办单")
    page.fill("input[name=title]", "群众来电：河面油污")
    page.fill("textarea[name=description]", "来电反映待泾河东段河面有油污")
    page.select_option("select[name=river]", label="待泾河")
    page.select_option("select[name=source]", value="phone_report")
    page.fill("input[name=source_ref]", "12345市民热线")
    page.select_option("select[name=target_village]", label="待泾村")
    page.fill("input[name=deadline]", (timezone.localdate() - timedelta(days=1)).isoformat())
    page.click("#order-form button[type=submit]")
    # a deadline before the issue date is refused in the form, nothing is saved
    page.wait_for_selector("text=整改期限不能早于下发日期")
    page.fill("input[name=deadline]", (timezone.localdate() + timedelta(days=5)).isoformat())
    page.click("#order-form button[type=submit]")
    page.wait_for_selector("#timeline")
    page.goto("/directives/")
    assert "群众来电：河面油污" in page.inner_text("section[data-status=issued]")
    page.screenshot(path="/tmp/directives-board.png", full_page=True)


def test_the_order_form_offers_only_the_reaches_of_the_chosen_river(page, scene):
    village = scene["chief"].region
    main = factories.RiverFactory(region=village, name="主河")
    other = factories.RiverFactory(region=village, name="支河")
    factories.ReachFactory(river=main, name="主河上段")
    factories.ReachFactory(river=other, name="支河下段")
    login(page, "office1")
    page.goto("/directives/new/")
    page.select_option("select[name=river]", label="主河")
    enabled = page.eval_on_selector_all(
        "select[name=reach] option", "os => os.filter(o => !o.disabled && o.value).map(o => o.text)"
    )
    assert enabled == ["主河·主河上段"]

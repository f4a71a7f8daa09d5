"""A village chief's letter page and order page fit a 390 px phone (no horizontal scroll); the
template editor's field picker and live preview work in the browser. Screenshots at desktop
and 390 px go to test-results/screenshots/."""

from datetime import date, timedelta

import pytest

from tests.conftest import login
from tests.e2e.screens import desktop_context, phone_context, shoot

pytestmark = pytest.mark.e2e

WIDER_THAN_THE_SCREEN = (
    "document.documentElement.scrollWidth - document.documentElement.clientWidth"
)
# Elements reaching past the right edge, even inside a scrolling wrapper (a table the chief
# would have to swipe sideways).
CUT_OFF = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().width > 0 && e.getBoundingClientRect().right > 391)
  .map(e => e.tagName + '.' + e.className)"""


@pytest.fixture
def letter_and_order(transactional_db, two_towns):
    from directives import services as orders
    from directives.models import Source
    from letters import services
    from letters.models import Letter

    d = two_towns
    batch = services.create_batch(town=d.town_a, month="2018-09", by=d.office_a)
    letter = batch.letters.get(chief=d.chief_a1.chief)
    Letter.objects.filter(batch=batch).update(status=Letter.Status.PENDING)
    services.send_batch(batch=batch, by=d.office_a)  # sends them all (eager worker)
    letter.refresh_from_db()
    order = orders.issue_directive(
        issued_by=d.office_a,
        river=d.border_river,
        reach=d.reach_a1,
        title="界泾待泾村段河面漂浮垃圾和水葫芦需要尽快清理",
        description="界泾待泾村段（JINGJING-DAIJINGCUN-0001 号断面附近）河面大量漂浮垃圾",
        deadline=date.today() + timedelta(days=10),
        source=Source.PHONE_REPORT,
        target_village=d.village_a1,
        notify_target=False,
    )
    return d, letter, order


def test_a_chiefs_letter_and_order_pages_fit_a_390_px_phone(browser, live_server, letter_and_order):
    d, letter, order = letter_and_order
    assert letter.status == "sent"
    context = phone_context(browser, live_server)
    page = context.new_page()
    try:
        login(page, d.chief_a1.username)
        for name, url, ready in (
            ("letters-inbox", "/letters/", "#letters"),
            ("letters-letter", f"/letters/{letter.pk}/", "#letter-body"),
            ("directives-order", f"/directives/{order.pk}/", "h1"),
            ("notices-inbox", "/notices/", "h1"),
        ):
            page.goto(url)
            page.wait_for_selector(ready)
            shoot(page, f"{name}-390")
            assert page.evaluate(WIDER_THAN_THE_SCREEN) <= 0, f"{url} scrolls sideways at 390 px"
            assert page.evaluate(CUT_OFF) == [], f"{url} has content past 390 px"
    finally:
        context.close()

    context = desktop_context(browser, live_server)
    page = context.new_page()
    try:
        login(page, d.chief_a1.username)
        page.goto(f"/letters/{letter.pk}/")
        page.wait_for_selector("#letter-body")
        shoot(page, "letters-letter-desktop-chief")
        page.goto(f"/directives/{order.pk}/")
        page.wait_for_selector("h1")
        shoot(page, "directives-order-desktop-chief")
    finally:
        context.close()


def test_the_office_picks_a_field_in_chinese_and_sees_the_preview_for_a_chief(
    browser, live_server, letter_and_order
):
    d, _letter, _order = letter_and_order
    for viewport, make in (("desktop", desktop_context), ("390", phone_context)):
        context = make(browser, live_server)
        page = context.new_page()
        try:
            login(page, d.office_a.username)
            page.goto("/letters/template/")
            page.wait_for_selector("#preview-subject")
            page.fill("textarea[name=body]", "尊敬的")
            page.click("#field-picker button:text-is('河长姓名')")
            assert page.input_value("textarea[name=body]") == "尊敬的{{ chief.name }}"
            page.select_option("#preview-chief", str(d.chief_a1.chief.pk))
            page.wait_for_selector(f"#preview-body:has-text('尊敬的{d.chief_a1.chief.user}')")
            shoot(page, f"letters-template-editor-{viewport}")
            if viewport == "390":
                assert page.evaluate(WIDER_THAN_THE_SCREEN) <= 0
            # An unknown field is named at once, and saving is refused.
            page.fill("textarea[name=body]", "{{ chief.nmae }}")
            page.wait_for_selector("#preview-errors:has-text('chief.nmae')")
        finally:
            context.close()

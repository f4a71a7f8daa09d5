"""A village chief patrols from a phone; the office sees it in the list, by river and in duty."""

import pytest
from django.utils import timezone

from patrols.models import Finding, Patrol
from tests.conftest import login
from tests.factories import UserFactory
from tests.patrols.factories import chief_on_river, make_jpeg

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_village_chief_patrols_on_a_phone_and_the_office_sees_it(
    phone_page, page, village, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    chief, river = chief_on_river(village)
    office = UserFactory(role="office", region=village.parent)

    phone = phone_page
    login(phone, chief.user.username)
    phone.goto("/patrols/start/")
    phone.select_option("#river", str(river.pk))
    phone.click("#start")
    phone.wait_for_selector("#step-run:not([hidden])")
    assert phone.locator("#step-start").is_hidden()

    # Walk north along the river: each new position is a new fix.
    for i in range(1, 8):
        phone.context.set_geolocation({"latitude": 30.9 + i * 0.001, "longitude": 121.17})
        phone.wait_for_function(
            f"() => Number(document.getElementById('points').textContent) >= {i}"
        )
    assert float(phone.text_content("#distance")) > 0.5

    phone.click("#finding-box summary")
    phone.select_option("#finding-form select[name=category]", "garbage")
    phone.fill("#finding-form textarea[name=note]", "河面有漂浮的塑料瓶")
    phone.set_input_files(
        "#finding-form input[name=photos]",
        files=[{"name": "river.jpg", "mimeType": "image/jpeg", "buffer": make_jpeg(gps=False)}],
    )
    phone.click("#finding-form button[type=submit]")
    phone.wait_for_selector("#finding-list li")
    phone.screenshot(path="/tmp/patrols-phone-running.png", full_page=True)

    phone.once("dialog", lambda dialog: dialog.accept())
    phone.click("#finish")
    phone.wait_for_selector("#done-link:not([hidden])", timeout=30_000)
    assert phone.locator("#step-run").is_hidden()
    phone.screenshot(path="/tmp/patrols-phone-done.png", full_page=True)

    patrol = Patrol.objects.get()
    assert patrol.status == Patrol.Status.FINISHED
    assert patrol.chief == chief
    assert patrol.point_count >= 7
    finding = Finding.objects.get()
    assert finding.patrol == patrol
    assert finding.note == "河面有漂浮的塑料瓶"
    assert finding.photos.count() == 1

    login(page, office.username)
    page.goto("/patrols/")
    row = page.locator("#patrol-table tbody tr").first
    assert river.name in row.inner_text()
    assert str(chief.user) in row.inner_text()
    page.screenshot(path="/tmp/patrols-office-list.png", full_page=True)

    page.goto(f"/patrols/?river={river.pk}")
    assert page.locator("#patrol-table tbody tr").count() == 1
    page.locator("#patrol-table tbody tr a").first.click()
    page.wait_for_selector("#findings")
    assert "河面有漂浮的塑料瓶" in page.inner_text("#findings")
    assert page.locator("#findings img").count() == 1
    page.screenshot(path="/tmp/patrols-office-detail.png", full_page=True)

    page.goto(f"/patrols/duty/?month={timezone.localdate():%Y-%m}")
    duty_row = page.locator("#duty-table tbody tr", has_text=str(chief.user))
    cells = duty_row.locator("td").all_inner_texts()
    assert cells[3] == "1"  # done
    page.screenshot(path="/tmp/patrols-office-duty.png", full_page=True)


def test_a_patrol_survives_a_reload_and_a_dropped_connection(
    phone_page, village, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    chief, river = chief_on_river(village)
    phone = phone_page
    login(phone, chief.user.username)
    phone.goto("/patrols/start/")
    phone.select_option("#river", str(river.pk))
    phone.click("#start")
    for i in range(1, 4):
        phone.context.set_geolocation({"latitude": 30.9 + i * 0.001, "longitude": 121.17})
        phone.wait_for_function(
            f"() => Number(document.getElementById('points').textContent) >= {i}"
        )

    # A reload (or the browser killing the tab) resumes the same patrol from local storage.
    phone.reload()
    phone.wait_for_selector("#step-run:not([hidden])")
    assert int(phone.text_content("#points")) >= 3

    # The connection drops: points, a finding with a photo and the finish wait on the phone.
    phone.context.set_offline(True)
    for i in range(4, 7):
        phone.context.set_geolocation({"latitude": 30.9 + i * 0.001, "longitude": 121.17})
        phone.wait_for_function(
            f"() => Number(document.getElementById('points').textContent) >= {i}"
        )
    phone.click("#finding-box summary")
    phone.select_option("#finding-form select[name=category]", "sewage_outlet")
    phone.set_input_files(
        "#finding-form input[name=photos]",
        files=[{"name": "outlet.jpg", "mimeType": "image/jpeg", "buffer": make_jpeg(gps=False)}],
    )
    phone.click("#finding-form button[type=submit]")
    phone.once("dialog", lambda dialog: dialog.accept())
    phone.click("#finish")
    phone.wait_for_selector("#step-done:not([hidden])")
    phone.wait_for_function("() => document.getElementById('net').textContent.includes('待上传')")
    assert not Finding.objects.exists()
    assert Patrol.objects.get().status == Patrol.Status.IN_PROGRESS

    # Back online: everything is sent once, in order.
    phone.context.set_offline(False)
    phone.wait_for_selector("#done-link:not([hidden])", timeout=30_000)
    patrol = Patrol.objects.get()
    assert patrol.status == Patrol.Status.FINISHED
    assert patrol.point_count >= 6
    finding = Finding.objects.get()
    assert finding.category == "sewage_outlet"
    assert finding.photos.count() == 1


@pytest.mark.parametrize("page_url", ["/patrols/", "/patrols/findings/"])
def test_the_office_finds_a_river_by_typing_its_name_and_filters_by_it(page, two_towns, page_url):
    from tests.patrols.factories import FindingFactory, PatrolFactory

    d = two_towns
    for user, river in ((d.chief_a1, d.river_a1), (d.chief_a2, d.river_a2)):
        FindingFactory(patrol=PatrolFactory(chief=user.chief, river=river))
    login(page, d.office_a.username)
    page.goto(page_url)
    box = page.locator("form.filters input[name=river]")
    box.fill(d.river_a2.name)
    # The box offers the rivers the office may see that match, as a datalist, not a <select>.
    offered = page.locator(f"#id_river-options option[value='{d.river_a2.code}']")
    offered.wait_for(state="attached")
    assert page.locator("#id_river-options option").count() == 1
    box.fill(d.river_a2.code)  # what choosing the offer puts in the box
    page.click("form.filters button[type=submit]")
    page.wait_for_url(f"**{page_url}?*river=*")
    assert d.river_a2.name in page.inner_text("table")
    assert d.river_a1.name not in page.inner_text("table")
    assert box.input_value() == d.river_a2.code

    # Another town's river is never offered, even typed in full.
    box.fill("")
    box.fill(d.river_b1.name)
    page.wait_for_timeout(600)
    assert page.locator(f"#id_river-options option[value='{d.river_b1.code}']").count() == 0

"""HTML pages through the Django client: wiring, scoping, error display, query counts."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.timesince import timesince

from directives import services
from directives.models import Directive, Status
from tests import factories
from tests.conftest import require
from tests.directives.conftest import photo
from tests.directives.factories import InspectionRoundFactory, WorkOrderFactory

pytestmark = pytest.mark.django_db


def test_the_office_issues_an_order_from_a_phone_report(client, town_staff, river, village):
    client.force_login(town_staff)
    today = timezone.localdate()
    response = client.post(
        reverse("directives:order-create"),
        {
            "title": "群众来电反映河面有油污",
            "description": "秀州塘东段水面有大片油污",
            "river": river.pk,
            "source": "phone_report",
            "source_ref": "来电 138****1234",
            "severity": "serious",
            "target_village": village.pk,
            "issued_on": today.isoformat(),
            "deadline": (today + timedelta(days=7)).isoformat(),
        },
    )
    order = Directive.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("directives:order-detail", args=[order.pk])
    assert order.source == "phone_report"


def test_a_deadline_before_the_issue_date_shows_a_form_error(client, town_staff, river, village):
    client.force_login(town_staff)
    response = client.post(
        reverse("directives:order-create"),
        {
            "title": "t",
            "description": "d",
            "river": river.pk,
            "source": "phone_report",
            "severity": "normal",
            "target_village": village.pk,
            "issued_on": "2026-03-10",
            "deadline": "2026-03-01",
        },
    )
    assert response.status_code == 400
    assert "整改期限不能早于下发日期" in response.content.decode()
    assert not Directive.objects.exists()


def test_a_village_chief_cannot_open_the_new_order_page(client, village_chief):
    client.force_login(village_chief)
    assert client.get(reverse("directives:order-create")).status_code == 403


def test_the_board_shows_overdue_orders_first(client, town_staff, make_order):
    late = make_order(
        issued_on=date(2020, 1, 1), deadline=date(2020, 1, 10), title="早已逾期的垃圾问题"
    )
    later = timezone.localdate() + timedelta(days=20)
    on_time = make_order(issued_on=timezone.localdate(), deadline=later, title="新近的问题")
    client.force_login(town_staff)
    html = client.get(reverse("directives:order-board")).content.decode()
    assert html.index(late.title) < html.index(on_time.title)
    assert 'id="overdue-count">1<' in html


def test_a_board_card_shows_its_order_as_the_template_filters_would(
    client, town_staff, make_order, village, chief, village_chief
):
    """The cards' text is worked out in the view once per page: the same link, dates,
    overdue span, severity and target as the template's own tags gave, in both languages."""
    late = make_order(
        title="逾期的问题",
        issued_on=date(2026, 1, 1),
        deadline=date(2026, 1, 20),
        severity="serious",
        target_chief=chief,
    )
    closed = make_order(title="已销号的问题", deadline=date(2026, 12, 1))
    with time_machine.travel(datetime(2026, 3, 2, 9, tzinfo=UTC), tick=False):
        services.accept_directive(directive=closed, by=village_chief)
        services.submit_rectification(directive=closed, by=village_chief, text="已清理")
        services.close_directive(directive=closed, by=town_staff)
    client.force_login(town_staff)
    with time_machine.travel(datetime(2026, 3, 3, 9, tzinfo=UTC), tick=False):
        html = client.get(reverse("directives:order-board")).content.decode()
        english = client.get(
            reverse("directives:order-board"), headers={"accept-language": "en"}
        ).content.decode()
    card = html[html.index(f'data-order="{late.pk}"') :]
    card = card[: card.index("</a>")]
    assert f'href="{reverse("directives:order-detail", args=[late.pk])}"' in html
    assert f"{village.name} / {chief.user.display_name}" in card
    with translation.override("zh-hans"):
        late_by = timesince(date(2026, 1, 20), date(2026, 3, 3))
    assert f"已逾期 {late_by}</span>" in card
    assert "期限 2026-01-20" in card
    assert '<span class="tag warn">较重</span>' in card
    closed_card = html[html.index(f'data-order="{closed.pk}"') :]
    assert "销号 2026-03-02" in closed_card[: closed_card.index("</a>")]
    assert 'class="order-card closed"' in html
    assert "Overdue by " in english
    assert '<span class="tag warn">Serious</span>' in english


def test_the_board_reads_a_constant_number_of_queries(
    client, town_staff, make_order, django_assert_max_num_queries
):
    for _ in range(15):
        make_order(notify_target=False)
    client.force_login(town_staff)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("directives:order-board"))
    assert response.content.decode().count('class="order-card') == 15


def test_the_board_shows_each_columns_first_orders_and_its_count(
    client, town_staff, make_order, monkeypatch, django_assert_max_num_queries
):
    from directives import selectors

    monkeypatch.setattr(selectors, "BOARD_COLUMN_SIZE", 3)
    for n in range(5):
        make_order(title=f"第{n}件", deadline=date(2026, 3, 10 + n), notify_target=False)
    client.force_login(town_staff)
    with django_assert_max_num_queries(12):
        html = client.get(reverse("directives:order-board")).content.decode()
    assert html.count('class="order-card') == 3
    assert html.index("第0件") < html.index("第2件")  # the earliest deadline first
    assert "第3件" not in html
    assert "全部 5 件（已下发）" in html
    assert "status=issued" in html


def test_the_board_filtered_on_a_status_reads_that_column_page_by_page(
    client, town_staff, make_order, monkeypatch, django_assert_max_num_queries
):
    from directives import selectors

    monkeypatch.setattr(selectors, "BOARD_PAGE_SIZE", 2)
    for n in range(5):
        make_order(title=f"第{n}件", deadline=date(2026, 3, 10 + n), notify_target=False)
    client.force_login(town_staff)
    url = reverse("directives:order-board")
    with django_assert_max_num_queries(12):
        html = client.get(url, {"status": "issued", "page": 2}).content.decode()
    assert html.count('class="order-card') == 2
    assert "第2件" in html
    assert "第3件" in html
    assert "第1件" not in html
    assert "第 2 / 3 页" in html
    last = client.get(url, {"status": "issued", "page": 99}).content.decode()
    assert last.count('class="order-card') == 1
    assert "第4件" in last
    first = client.get(url, {"status": "issued", "page": "x"}).content.decode()
    assert "第0件" in first
    assert "第 1 / 3 页" in first


def test_the_closed_columns_pages_are_in_a_total_order_when_orders_tie(
    client, town_staff, make_order, monkeypatch, django_assert_max_num_queries
):
    from directives import selectors

    monkeypatch.setattr(selectors, "BOARD_PAGE_SIZE", 1)
    orders = [make_order(notify_target=False) for _ in range(4)]
    # Closed at no recorded time, serials 1 and 2 in two years: they tie but for the id.
    # Updated oldest first, so the rows lie in the table in id order, the opposite of the
    # order expected: a scan in table order does not give it by chance.
    years_serials = {0: (2024, 1), 1: (2025, 1), 2: (2024, 2), 3: (2025, 2)}
    for n, (year, serial) in years_serials.items():
        Directive.objects.filter(pk=orders[n].pk).update(
            status=Status.CLOSED, closed_at=None, year=year, serial=serial
        )
    client.force_login(town_staff)
    url = reverse("directives:order-board")
    seen = []
    for page in range(1, 5):
        with django_assert_max_num_queries(12):
            html = client.get(url, {"status": "closed", "page": page}).content.decode()
        assert html.count('class="order-card') == 1
        seen += [o.pk for o in orders if f'data-order="{o.pk}"' in html]
    assert seen == [orders[3].pk, orders[2].pk, orders[1].pk, orders[0].pk]


def test_a_village_chief_sees_only_their_villages_orders(
    client, make_order, village_chief, other_village, town_staff
):
    mine = make_order(title="本村的问题")
    other_river = factories.RiverFactory(region=other_village)
    theirs = make_order(river=other_river, target_village=other_village, title="别村的问题")
    client.force_login(village_chief)
    assert client.get(reverse("directives:order-board")).url == reverse("directives:my-orders")
    html = client.get(reverse("directives:my-orders")).content.decode()
    assert mine.title in html
    assert theirs.title not in html
    assert client.get(reverse("directives:order-detail", args=[theirs.pk])).status_code == 404


def test_the_chief_submits_a_rectification_with_a_photo_from_the_phone_page(
    client, make_order, village_chief
):
    order = make_order()
    client.force_login(village_chief)
    client.post(reverse("directives:order-action", args=[order.pk, "accept"]))
    response = client.post(
        reverse("directives:order-action", args=[order.pk, "submit"]),
        {"text": "", "after_photos": [photo()]},
    )
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == Status.SUBMITTED
    assert order.attachments.get().kind == "after"


def test_empty_evidence_is_shown_as_an_error_and_changes_nothing(client, make_order, village_chief):
    order = make_order()
    client.force_login(village_chief)
    client.post(reverse("directives:order-action", args=[order.pk, "accept"]))
    response = client.post(
        reverse("directives:order-action", args=[order.pk, "submit"]), {"text": " "}
    )
    assert response.status_code == 400
    assert "请填写整改情况或上传整改照片" in response.content.decode()
    order.refresh_from_db()
    assert order.status == Status.ACCEPTED


def test_a_transition_out_of_order_is_refused_with_a_message(client, make_order, town_staff):
    order = make_order()
    client.force_login(town_staff)
    response = client.post(reverse("directives:order-action", args=[order.pk, "close"]))
    # the office may close only a submitted order: the form shows why
    assert response.status_code == 400
    assert "不能核查销号" in response.content.decode()
    order.refresh_from_db()
    assert order.status == Status.ISSUED


def test_the_detail_page_shows_the_timeline(client, make_order, village_chief, town_staff):
    order = make_order()
    services.accept_directive(directive=order, by=village_chief)
    services.submit_rectification(directive=order, by=village_chief, text="已清理")
    services.close_directive(directive=order, by=town_staff, note="核查通过")
    client.force_login(town_staff)
    html = client.get(reverse("directives:order-detail", args=[order.pk])).content.decode()
    for kind in ("issued", "accepted", "submitted", "closed"):
        assert f'data-kind="{kind}"' in html
    assert "修改记录" in html


def test_the_order_prints_as_a_pdf(client, make_order, town_staff):
    order = make_order()
    client.force_login(town_staff)
    response = client.get(reverse("directives:order-pdf", args=[order.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_yearly_statistics_count_orders_and_work_orders(
    client, make_order, village_chief, town_staff, town
):
    done = make_order(issued_on=date(2018, 5, 2), deadline=date(2018, 5, 20))
    make_order(issued_on=date(2018, 6, 2), deadline=date(2018, 6, 20))
    services.accept_directive(directive=done, by=village_chief)
    services.submit_rectification(directive=done, by=village_chief, text="ok")
    services.close_directive(directive=done, by=town_staff)
    WorkOrderFactory(inspection_round=InspectionRoundFactory(town=town))
    client.force_login(town_staff)
    response = client.get(reverse("directives:statistics"), {"year": 2018})
    stats = response.context["stats"]
    assert stats["total"]["issued"] == 2
    assert stats["total"]["rectified"] == 1
    assert stats["work_orders"] == 1
    assert stats["work_orders_answered"] == 0


def test_the_year_exports_to_excel(client, make_order, town_staff):
    from io import BytesIO

    from openpyxl import load_workbook

    order = make_order()
    client.force_login(town_staff)
    response = client.get(reverse("directives:export"), {"year": 2026})
    sheet = load_workbook(BytesIO(response.content)).active
    assert sheet["A2"].value == order.number


def test_the_office_records_a_round_a_work_order_and_its_reply(client, town_staff, river):
    client.force_login(town_staff)
    response = client.post(
        reverse("directives:round-create"),
        {
            "name": "黑臭水体整治检查",
            "group": "市水务局第三检查组",
            "start_date": "2018-09-10",
            "end_date": "2018-09-12",
            "rivers": [river.pk],
        },
    )
    assert response.status_code == 302
    round_url = response.url
    pk = int(round_url.rstrip("/").split("/")[-1])
    response = client.post(
        reverse("directives:work-order-create", args=[pk]),
        {
            "number": "三组-01",
            "river": river.pk,
            "content": "岸边垃圾",
            "issued_on": "2018-09-12",
            "reply_deadline": "2018-09-05",
        },
    )
    assert response.status_code == 400
    assert "答复期限不能早于下达日期" in response.content.decode()
    client.post(
        reverse("directives:work-order-create", args=[pk]),
        {
            "number": "三组-01",
            "river": river.pk,
            "content": "岸边垃圾",
            "issued_on": "2018-09-12",
            "reply_deadline": "2018-09-26",
        },
    )
    from directives.models import WorkOrder

    work_order = WorkOrder.objects.get()
    client.post(reverse("directives:work-order-reply", args=[work_order.pk]), {"text": "已清理"})
    work_order.refresh_from_db()
    assert work_order.status == WorkOrder.Status.ANSWERED


def test_the_pdf_carries_the_chinese_text_of_the_order(client, make_order, town_staff, tmp_path):
    import shutil
    import subprocess

    require(shutil.which("pdftotext") is not None, "pdftotext (poppler-utils)")
    order = make_order()
    client.force_login(town_staff)
    pdf = tmp_path / "order.pdf"
    pdf.write_bytes(client.get(reverse("directives:order-pdf", args=[order.pk])).content)
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "河长制工作督办单" in text.replace(" ", "")
    assert order.title in text


def test_the_chief_asks_for_an_extension_and_the_office_grants_it(
    client, make_order, village_chief, town_staff
):
    order = make_order()
    client.force_login(village_chief)
    url = reverse("directives:order-action", args=[order.pk, "extend"])
    too_far = client.post(url, {"requested_deadline": "2026-06-30", "reason": "雨季施工"})
    assert too_far.status_code == 400
    assert "延期不能超过原定期限" in too_far.content.decode()
    client.post(url, {"requested_deadline": "2026-03-20", "reason": "需要清淤"})
    client.force_login(town_staff)
    page = client.get(reverse("directives:order-detail", args=[order.pk])).content.decode()
    assert "批准延期" in page
    client.post(
        reverse("directives:order-action", args=[order.pk, "decide"]), {"grant": "1", "note": ""}
    )
    order.refresh_from_db()
    assert order.deadline == date(2026, 3, 20)
    assert list(order.events.values_list("kind", flat=True))[-2:] == [
        "extension_requested",
        "extension_granted",
    ]


def test_a_round_page_lists_its_work_orders_with_their_orders(
    client, town, town_staff, make_order, django_assert_max_num_queries
):
    inspection = InspectionRoundFactory(town=town)
    work_orders = WorkOrderFactory.create_batch(4, inspection_round=inspection)
    order = make_order(source="inspection", work_order=work_orders[0])
    client.force_login(town_staff)
    with django_assert_max_num_queries(14):
        html = client.get(reverse("directives:round-detail", args=[inspection.pk])).content.decode()
    assert html.count('id="work-order-') == 4
    assert order.number in html


def test_my_orders_shows_why_an_order_was_returned_in_few_queries(
    client, make_order, village_chief, town_staff, django_assert_max_num_queries
):
    order = make_order()
    for _ in range(5):
        make_order(notify_target=False)
    services.accept_directive(directive=order, by=village_chief)
    services.submit_rectification(directive=order, by=village_chief, text="已清理")
    services.return_directive(directive=order, by=town_staff, reason="桥下仍有垃圾")
    client.force_login(village_chief)
    with django_assert_max_num_queries(8):
        html = client.get(reverse("directives:my-orders")).content.decode()
    assert "桥下仍有垃圾" in html
    assert html.count('class="phone-card') == 6


def test_my_orders_prints_each_card_as_the_template_tags_did(
    client, make_order, village_chief, town_staff, django_assert_max_num_queries
):
    """The cards are worked out in the view once per page, from the orders' shown columns:
    the same links, forms, labels and dates as the template's own tags gave."""
    late = make_order(title="逾期未签收", issued_on=date(2026, 1, 1), deadline=date(2026, 1, 20))
    accepted = make_order(title="已签收的", deadline=date(2026, 12, 1))
    services.accept_directive(directive=accepted, by=village_chief)
    waiting = make_order(title="等核查", deadline=date(2026, 12, 2))
    services.accept_directive(directive=waiting, by=village_chief)
    services.submit_rectification(directive=waiting, by=village_chief, text="已清理")
    closed = make_order(title="已经销号", deadline=date(2026, 12, 3))
    with time_machine.travel(datetime(2026, 3, 2, 9, tzinfo=UTC), tick=False):
        services.accept_directive(directive=closed, by=village_chief)
        services.submit_rectification(directive=closed, by=village_chief, text="已清理")
        services.close_directive(directive=closed, by=town_staff)
    client.force_login(village_chief)
    # session, user, region, the orders, the chief (base), unread notices
    with (
        time_machine.travel(datetime(2026, 3, 3, 9, tzinfo=UTC), tick=False),
        django_assert_max_num_queries(6),
    ):
        html = client.get(reverse("directives:my-orders")).content.decode()
    card = html[html.index(f'data-order="{late.pk}"') :]
    card = card[: card.index("</article>")]
    assert 'class="phone-card late"' in html
    assert f'href="{reverse("directives:order-detail", args=[late.pk])}"' in card
    assert '<span class="tag bad">已下发</span>' in card
    assert "期限 <strong>2026-01-20</strong>" in card
    assert f'action="{reverse("directives:order-action", args=[late.pk, "accept"])}"' in card
    card = html[html.index(f'data-order="{accepted.pk}"') :]
    card = card[: card.index("</article>")]
    assert '<span class="tag warn">已签收</span>' in card
    assert f'action="{reverse("directives:order-action", args=[accepted.pk, "submit"])}"' in card
    assert '<span class="tag bad">已逾期</span>' not in card
    assert (
        f'<li><a href="{reverse("directives:order-detail", args=[waiting.pk])}">等核查</a>' in html
    )
    assert f"{closed.number} · 2026-03-02</small>" in html


def test_the_cards_written_in_the_view_escape_what_users_typed(
    client, town_staff, make_order, river, village, village_chief
):
    """The board's and the phone list's cards are markup written in Python: a title, a river's
    or a village's name typed with markup shows as text, as the template's autoescape did."""
    typed = '<img src=x onerror="alert(1)">'
    river.name = f"河{typed}"
    river.save()
    village.name = f"村{typed}"
    village.save()
    make_order(title=f"题{typed}", deadline=timezone.localdate() + timedelta(days=5))
    for user, url in (
        (town_staff, reverse("directives:order-board")),
        (village_chief, reverse("directives:my-orders")),
    ):
        client.force_login(user)
        html = client.get(url).content.decode()
        assert typed not in html, url
        assert "题&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html, url
        assert "河&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html, url

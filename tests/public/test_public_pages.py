from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from public import services
from public.models import Report
from tests.public.conftest import jpeg_with_exif

pytestmark = pytest.mark.django_db


def test_a_signboard_needs_no_login_and_shows_chiefs_duties_and_the_office_phone(client, two_towns):
    d = two_towns
    services.set_office_contact(town=d.town_a, by=d.office_a, phone="021-57310000")
    response = client.get(reverse("public:signboard", args=[d.river_a1.code]))
    assert response.status_code == 200
    page = response.content.decode()
    assert d.chief_a1.display_name in page
    assert "负责本村河道的日常巡查" in page
    assert "021-57310000" in page
    assert d.river_a1.get_target_class_display() in page
    # The chief's own mobile number is private unless the office publishes one.
    assert d.chief_a1.phone not in page


def test_a_chiefs_phone_appears_only_once_the_office_publishes_it(client, two_towns):
    d = two_towns
    url = reverse("public:signboard", args=[d.river_a1.code])
    services.publish_chief_phone(chief=d.chief_a1.chief, by=d.office_a, phone="021-57319999")
    page = client.get(url).content.decode()
    assert "021-57319999" in page
    assert d.chief_a1.phone not in page
    with pytest.raises(PermissionDenied):
        services.publish_chief_phone(chief=d.chief_a1.chief, by=d.office_b)


def test_the_signboards_qr_code_opens_the_signboard(client, two_towns):
    import segno  # noqa: F401  (the page's QR code is an SVG made by segno)

    river = two_towns.river_a1
    response = client.get(reverse("public:signboard-qr", args=[river.code]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert b"<svg" in response.content


def test_a_resident_files_a_report_and_follows_it_without_seeing_any_contact(client, two_towns):
    d = two_towns
    response = client.post(
        reverse("public:report-new", args=[d.river_a1.code]),
        {
            "category": "sewage_outlet",
            "text": "岸边有管子往河里排黑水",
            "location": "村口桥下",
            "latitude": "30.901",
            "longitude": "121.171",
            "contact_name": "王小明",
            "contact_phone": "13912345678",
            "website": "",
            "photos": [jpeg_with_exif()],
        },
    )
    assert response.status_code == 302
    report = Report.objects.get()
    assert response["Location"] == reverse("public:receipt", args=[report.receipt])
    assert report.photos.count() == 1
    for url in (
        reverse("public:receipt", args=[report.receipt]),
        reverse("public:status", args=[report.receipt]),
    ):
        page = client.get(url).content.decode()
        assert report.receipt in page
        assert "13912345678" not in page
        assert "王小明" not in page
        assert "村口桥下" not in page
    lookup = client.get(reverse("public:status-lookup"), {"receipt": report.receipt.lower()})
    assert lookup.status_code == 302


def test_the_status_page_follows_the_order_until_it_is_closed(client, two_towns):
    d = two_towns
    report = services.submit_report(
        river=d.river_a1, category="garbage", text="河面漂浮垃圾很多", address="203.0.113.1"
    )
    report = services.turn_into_order(
        report=report,
        by=d.office_a,
        deadline=timezone.localdate() + timedelta(days=5),
        target_village=d.village_a1,
    )
    page = client.get(reverse("public:status", args=[report.receipt])).content.decode()
    assert "已转督办" in page
    assert report.directive.number in page


@override_settings(PUBLIC_REPORTS_PER_HOUR=1)
def test_the_form_answers_429_when_an_address_files_too_often(client, two_towns):
    url = reverse("public:report-new", args=[two_towns.river_a1.code])
    first = client.post(url, {"category": "garbage", "text": "第一次：河面垃圾"})
    second = client.post(url, {"category": "garbage", "text": "第二次：河面垃圾"})
    assert first.status_code == 302
    assert second.status_code == 429
    assert Report.objects.count() == 1


def test_the_form_shows_field_errors_on_bad_input(client, two_towns):
    url = reverse("public:report-new", args=[two_towns.river_a1.code])
    response = client.post(url, {"category": "nonsense", "text": ""})
    assert response.status_code == 400
    assert Report.objects.count() == 0


def test_the_office_queue_shows_only_its_own_towns_reports(client, two_towns):
    d = two_towns
    mine = services.submit_report(
        river=d.river_a1, category="garbage", text="待泾村浜有垃圾", address="203.0.113.1"
    )
    theirs = services.submit_report(
        river=d.river_b1, category="garbage", text="亭东村浜有垃圾", address="203.0.113.2"
    )
    client.force_login(d.office_b)
    page = client.get(reverse("public:report-queue")).content.decode()
    assert theirs.receipt in page
    assert mine.receipt not in page
    assert client.get(reverse("public:report-detail", args=[mine.pk])).status_code == 404
    response = client.post(
        reverse("public:report-detail", args=[mine.pk]), {"action": "close", "reason": "x"}
    )
    assert response.status_code == 404
    mine.refresh_from_db()
    assert mine.status == Report.Status.RECEIVED


def test_the_office_turns_a_report_into_an_order_from_its_page(client, two_towns):
    d = two_towns
    report = services.submit_report(
        river=d.river_a1, category="garbage", text="待泾村浜有垃圾", address="203.0.113.1"
    )
    client.force_login(d.office_a)
    url = reverse("public:report-detail", args=[report.pk])
    page = client.get(url).content.decode()
    assert "转为督办单" in page
    response = client.post(
        url,
        {
            "action": "order",
            "deadline": (timezone.localdate() + timedelta(days=7)).isoformat(),
            "target_village": d.village_a1.pk,
        },
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == Report.Status.ORDERED
    assert report.directive.source == "public_report"


def test_the_signboard_speaks_english_when_asked(client, two_towns):
    url = reverse("public:signboard", args=[two_towns.river_a1.code])
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "River-chief signboard" in page
    assert "deals with or reports problems at once" in page


def test_the_signboard_shows_the_class_of_the_last_year_with_samples(
    client, two_towns, django_assert_max_num_queries
):
    from tests.monitoring.factories import MonitoringPointFactory, SampleFactory, at

    river = two_towns.river_a1
    point = MonitoringPointFactory(river=river)
    SampleFactory(point=point, sampled_at=at(2017, 6, 5), nh3n=0.4, do=7.0)
    SampleFactory(point=point, sampled_at=at(2018, 3, 5), nh3n=1.2, do=5.5)
    SampleFactory(point=point, sampled_at=at(2018, 9, 25), nh3n=2.0, do=4.5)
    with django_assert_max_num_queries(15):
        page = client.get(reverse("public:signboard", args=[river.code])).content.decode()
    # 2018: NH3-N mean 1.6 mg/L is Class V (GB 3838-2002); 2017's better sample is older.
    assert "2018年 Ⅴ类" in page

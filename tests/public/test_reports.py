from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django.utils import timezone
from PIL import Image

from directives.models import Directive, Source
from public import services
from public.models import Report
from tests.public.conftest import jpeg_with_exif

pytestmark = pytest.mark.django_db


def submit(river, *, address="203.0.113.7", **kwargs):
    fields = {"category": "garbage", "text": "桥边漂着很多垃圾"} | kwargs
    return services.submit_report(river=river, address=address, **fields)


def test_a_report_lands_in_the_queue_of_the_town_that_owns_the_river(two_towns):
    d = two_towns
    report = submit(d.river_a1, contact_phone="13812345678")
    assert report.town == d.town_a
    assert report.status == Report.Status.RECEIVED
    assert Report.objects.visible_to(d.office_a).filter(pk=report.pk).exists()
    assert not Report.objects.visible_to(d.office_b).filter(pk=report.pk).exists()
    # The border river belongs to town B even where it crosses village A1.
    assert submit(d.border_river, address="203.0.113.8").town == d.town_b


@override_settings(PUBLIC_REPORTS_PER_HOUR=3)
def test_an_address_may_file_only_so_many_reports_an_hour(two_towns):
    d = two_towns
    for n in range(3):
        submit(d.river_a1, text=f"第{n}次反映：河面有垃圾")
    with pytest.raises(services.RateLimited):
        submit(d.river_a1, text="第四次反映：河面有垃圾")
    # Another address is not affected.
    submit(d.river_a1, address="198.51.100.1", text="另一个人反映：河面有垃圾")
    assert Report.objects.count() == 4


@override_settings(PUBLIC_REPORTS_PER_HOUR=1)
def test_a_refused_form_does_not_use_up_the_hourly_quota(two_towns):
    d = two_towns
    with pytest.raises(ValidationError):
        submit(d.river_a1, text="短")
    submit(d.river_a1)
    assert Report.objects.count() == 1


@pytest.mark.parametrize(
    ("fields", "why"),
    [
        ({"honeypot": "http://spam.example"}, "a robot filled the hidden field"),
        ({"text": "低价代开发票，联系我"}, "an advertising word"),
        ({"text": "好消息 请访问 http://example.com 领取"}, "a link"),
        ({"text": "啊啊啊啊啊啊啊啊啊啊啊啊啊"}, "a run of one character"),
    ],
)
def test_spam_is_refused(two_towns, fields, why):
    with pytest.raises(ValidationError) as exc:
        submit(two_towns.river_a1, **fields)
    assert "text" in exc.value.message_dict, why
    assert Report.objects.count() == 0


def test_the_same_text_twice_from_one_address_is_refused_as_a_duplicate(two_towns):
    d = two_towns
    submit(d.river_a1)
    with pytest.raises(ValidationError):
        submit(d.river_a1)
    submit(d.river_a1, address="198.51.100.9")  # another resident may say the same
    assert Report.objects.count() == 2


def test_photos_are_reencoded_without_any_metadata(two_towns):
    upload = jpeg_with_exif()
    raw = upload.read()
    upload.seek(0)
    assert b"PhoneMaker" in raw
    assert b"secret comment" in raw
    report = submit(two_towns.river_a1, photos=[upload])
    stored = report.photos.get().image
    data = stored.read()
    assert b"PhoneMaker" not in data
    assert b"secret comment" not in data
    with Image.open(stored.path) as image:
        assert image.format == "JPEG"
        assert not image.getexif()
        assert "comment" not in image.info


def test_more_than_three_photos_or_a_non_image_are_refused(two_towns):
    from django.core.files.uploadedfile import SimpleUploadedFile

    with pytest.raises(ValidationError) as exc:
        submit(two_towns.river_a1, photos=[jpeg_with_exif() for _ in range(4)])
    assert "photos" in exc.value.message_dict
    fake = SimpleUploadedFile("x.jpg", b"<?php echo 1; ?>", content_type="image/jpeg")
    with pytest.raises(ValidationError) as exc:
        submit(two_towns.river_a1, photos=[fake])
    assert "photos" in exc.value.message_dict
    assert Report.objects.count() == 0


def test_a_huge_image_is_refused_before_it_is_decoded(two_towns, monkeypatch):
    big = jpeg_with_exif(size=(64, 48))
    monkeypatch.setattr(services, "MAX_PHOTO_PIXELS", 64 * 48 - 1)
    decoded = []
    original = Image.Image.load
    monkeypatch.setattr(Image.Image, "load", lambda self: decoded.append(1) or original(self))
    with pytest.raises(ValidationError):
        submit(two_towns.river_a1, photos=[big])
    assert decoded == []


def test_the_office_turns_a_report_into_a_supervision_order_in_one_action(two_towns):
    d = two_towns
    report = submit(d.river_a1, photos=[jpeg_with_exif()], location="桥东")
    deadline = timezone.localdate() + timedelta(days=7)
    report = services.turn_into_order(
        report=report, by=d.office_a, deadline=deadline, target_village=d.village_a1
    )
    directive = Directive.objects.get(pk=report.directive_id)
    assert report.status == Report.Status.ORDERED
    assert directive.source == Source.PUBLIC_REPORT
    assert directive.source_ref == report.receipt
    assert directive.town == d.town_a
    assert directive.description == report.text
    assert directive.attachments.count() == 1
    assert report.history.count() == 2  # audited: filed, then ordered
    with pytest.raises(ValidationError):
        services.close_report(report=report, by=d.office_a, reason="重复")


def test_the_other_towns_office_cannot_act_on_a_report(two_towns):
    d = two_towns
    report = submit(d.river_a1)
    with pytest.raises(PermissionDenied):
        services.turn_into_order(
            report=report,
            by=d.office_b,
            deadline=timezone.localdate() + timedelta(days=7),
            target_village=d.village_b1,
        )
    with pytest.raises(PermissionDenied):
        services.close_report(report=report, by=d.office_b, reason="不是我们的")
    with pytest.raises(PermissionDenied):
        services.close_report(report=report, by=d.chief_a1, reason="村里处理了")
    report.refresh_from_db()
    assert report.status == Report.Status.RECEIVED
    assert Directive.objects.count() == 0


def test_closing_needs_a_reason_which_the_reporter_reads(two_towns):
    d = two_towns
    report = submit(d.river_a1)
    with pytest.raises(ValidationError):
        services.close_report(report=report, by=d.office_a, reason="  ")
    report = services.close_report(report=report, by=d.office_a, reason="已清理")
    assert report.status == Report.Status.CLOSED
    assert report.close_reason == "已清理"

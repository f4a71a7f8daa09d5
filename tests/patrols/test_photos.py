"""Uploaded photos are re-encoded and keep only their capture time and position."""

import io
from datetime import datetime
from zoneinfo import ZoneInfo

from PIL import ExifTags, Image

from patrols import services
from tests.patrols.factories import FindingFactory, PatrolFactory


def test_a_photo_keeps_only_capture_time_and_position(chief_river, jpeg):
    chief, river = chief_river
    finding = FindingFactory(patrol=PatrolFactory(chief=chief, river=river))
    photo = services.add_finding_photo(
        finding=finding, by=chief.user, upload=jpeg(taken=datetime(2018, 3, 5, 9, 12))
    )
    assert photo.taken_at == datetime(2018, 3, 5, 9, 12, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert round(photo.latitude, 4) == 30.9
    assert round(photo.longitude, 4) == round(121 + 10 / 60 + 12 / 3600, 4)
    with photo.image.open("rb") as fh:
        stored = Image.open(io.BytesIO(fh.read()))
    exif = stored.getexif()
    assert set(exif) <= {ExifTags.IFD.Exif, ExifTags.IFD.GPSInfo}
    assert ExifTags.Base.Make not in exif
    assert ExifTags.Base.Artist not in exif
    sub = exif.get_ifd(ExifTags.IFD.Exif)
    assert set(sub) == {ExifTags.Base.DateTimeOriginal, ExifTags.Base.OffsetTimeOriginal}
    assert sub[ExifTags.Base.DateTimeOriginal] == "2018:03:05 09:12:00"
    assert set(exif.get_ifd(ExifTags.IFD.GPSInfo)) == {1, 2, 3, 4}
    assert stored.format == "JPEG"
    assert (photo.width, photo.height) == (64, 48)


def test_a_photo_without_metadata_is_stored_without_any(chief_river, jpeg):
    chief, river = chief_river
    finding = FindingFactory(patrol=PatrolFactory(chief=chief, river=river))
    photo = services.add_finding_photo(
        finding=finding, by=chief.user, upload=jpeg(gps=False, extra=False)
    )
    assert photo.taken_at is None
    assert photo.latitude is None
    with photo.image.open("rb") as fh:
        assert dict(Image.open(io.BytesIO(fh.read())).getexif()) == {}


def test_a_png_screenshot_is_re_encoded_as_jpeg(chief_river):
    from django.core.files.uploadedfile import SimpleUploadedFile

    chief, river = chief_river
    finding = FindingFactory(patrol=PatrolFactory(chief=chief, river=river))
    out = io.BytesIO()
    Image.new("RGBA", (30, 20), (200, 10, 10, 128)).save(out, "PNG")
    upload = SimpleUploadedFile("shot.png", out.getvalue(), content_type="image/png")
    photo = services.add_finding_photo(finding=finding, by=chief.user, upload=upload)
    assert photo.image.name.endswith(".jpg")
    with photo.image.open("rb") as fh:
        assert Image.open(io.BytesIO(fh.read())).format == "JPEG"

"""Issue 13, items 6-7: photos keep only time and position; limits come before decoding."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from patrols.photos import clean_photo
from patrols.services import parse_gpx
from tests.patrols.factories import make_jpeg

pytestmark = pytest.mark.django_db


def test_a_jpeg_comment_does_not_survive_the_re_encoding():
    image = Image.open(io.BytesIO(make_jpeg()))
    out = io.BytesIO()
    image.save(out, "JPEG", comment=b"<script>alert(1)</script>", exif=image.getexif().tobytes())
    upload = SimpleUploadedFile("polyglot.jpg", out.getvalue(), content_type="image/jpeg")
    clean = clean_photo(upload).content.read()
    assert b"<script>" not in clean
    assert Image.open(io.BytesIO(clean)).info.get("comment") in (None, b"")


def test_a_pixel_bomb_is_refused_from_its_header_before_decoding(settings, monkeypatch):
    settings.UPLOAD_MAX_PIXELS = 1_000_000
    out = io.BytesIO()
    Image.new("1", (2000, 2000)).save(out, "PNG")  # 4 MP in a few KB
    assert len(out.getvalue()) < 20_000

    def no_decoding(self, *args, **kwargs):
        raise AssertionError("decoded a refused image")

    monkeypatch.setattr(Image.Image, "load", no_decoding)
    with pytest.raises(ValidationError) as caught:
        clean_photo(SimpleUploadedFile("bomb.png", out.getvalue(), content_type="image/png"))
    assert "像素" in str(caught.value)


def test_an_oversized_gpx_is_refused_before_parsing(settings, monkeypatch):
    import gpxpy

    settings.GPX_MAX_BYTES = 1000
    monkeypatch.setattr(gpxpy, "parse", lambda *a, **k: pytest.fail("parsed a refused file"))
    with pytest.raises(ValidationError) as caught:
        parse_gpx(b"<gpx>" + b" " * 2000 + b"</gpx>")
    assert "gpx" in caught.value.message_dict

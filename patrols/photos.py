"""Photo intake: check, re-encode, and strip everything but capture time and position.

A phone photo's EXIF holds the camera model, serial numbers, thumbnails and sometimes the
owner's name. We decode the pixels, rotate them upright, and write a fresh JPEG whose EXIF holds
only DateTimeOriginal (with its offset) and the GPS position, so that the office can still check
when and where it was taken.
"""

import io
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

from patrols import geo

EXIF_IFD = ExifTags.IFD.Exif
GPS_IFD = ExifTags.IFD.GPSInfo
DATETIME_ORIGINAL = ExifTags.Base.DateTimeOriginal
OFFSET_TIME_ORIGINAL = ExifTags.Base.OffsetTimeOriginal
MAX_SIDE = 2560  # long side after re-encoding: plenty for evidence, a few hundred KB
JPEG_QUALITY = 85
Image.MAX_IMAGE_PIXELS = 60_000_000  # refuse decompression bombs (a 60 MP phone photo is fine)


@dataclass
class CleanPhoto:
    content: ContentFile
    taken_at: datetime | None
    latitude: float | None
    longitude: float | None
    width: int = 0
    height: int = 0


def max_bytes() -> int:
    return settings.PATROL_PHOTO_MAX_BYTES


def _taken_at(exif: Image.Exif) -> datetime | None:
    ifd = exif.get_ifd(EXIF_IFD)
    raw = ifd.get(DATETIME_ORIGINAL) or exif.get(ExifTags.Base.DateTime)
    if not raw:
        return None
    try:
        naive = datetime.strptime(str(raw).strip("\x00 "), "%Y:%m:%d %H:%M:%S")  # noqa: DTZ007
    except ValueError:
        return None
    offset = str(ifd.get(OFFSET_TIME_ORIGINAL) or "").strip("\x00 ")
    if offset:
        try:
            return datetime.strptime(f"{naive:%Y-%m-%d %H:%M:%S}{offset}", "%Y-%m-%d %H:%M:%S%z")
        except ValueError:
            pass
    # Cameras write local time without a zone; our phones are in China.
    return timezone.make_aware(naive, ZoneInfo(settings.TIME_ZONE))


def _dms_to_deg(dms, ref) -> float | None:
    try:
        d, m, s = (float(x) for x in dms)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    value = d + m / 60 + s / 3600
    return -value if str(ref).upper().startswith(("S", "W")) else value


def _position(exif: Image.Exif) -> tuple[float | None, float | None]:
    gps = exif.get_ifd(GPS_IFD)
    lat = _dms_to_deg(gps.get(2), gps.get(1, "N")) if gps.get(2) else None
    lon = _dms_to_deg(gps.get(4), gps.get(3, "E")) if gps.get(4) else None
    if lat is None or lon is None or not geo.plausible(lat, lon):
        return None, None
    return lat, lon


def _deg_to_dms(value: float) -> tuple[Fraction, Fraction, Fraction]:
    # Work in ten-thousandths of a second so that rounding never yields 60 seconds.
    total = round(abs(value) * 3600 * 10000)
    d, rest = divmod(total, 3600 * 10000)
    m, s = divmod(rest, 60 * 10000)
    return Fraction(d), Fraction(m), Fraction(s, 10000)


def clean_photo(upload) -> CleanPhoto:
    """Validate and re-encode an uploaded photo; raises ValidationError on ``photo``."""
    limit = max_bytes()
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise ValidationError(
            {
                "photo": _("照片过大（%(size).1f MB），上限为 %(limit).1f MB")
                % {"size": size / 1048576, "limit": limit / 1048576}
            }
        )
    try:
        upload.seek(0)
        with Image.open(upload) as probe:
            # The header states the size: refuse a pixel bomb (a 12 KB PNG of 100 megapixels
            # decodes to 400 MB) before decoding anything.
            if probe.width * probe.height > settings.UPLOAD_MAX_PIXELS:
                raise ValidationError(
                    {
                        "photo": _("图片像素过多（%(w)s × %(h)s），上限为 %(mp)s 百万像素")
                        % {
                            "w": probe.width,
                            "h": probe.height,
                            "mp": settings.UPLOAD_MAX_PIXELS // 1_000_000,
                        }
                    }
                )
            probe.verify()
        upload.seek(0)
        image = Image.open(upload)
        image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as exc:
        raise ValidationError({"photo": _("上传的文件不是可识别的图片")}) from exc
    exif = image.getexif()
    taken_at = _taken_at(exif)
    lat, lon = _position(exif)

    image = ImageOps.exif_transpose(image)
    if image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    # Nothing of the original travels on but what the docstring names: no JPEG comment (a
    # polyglot's script lives there), no XMP, ICC profile or other application segments.
    image.info = {}

    clean = Image.Exif()
    if taken_at is not None:
        local = timezone.localtime(taken_at)
        ifd = clean.get_ifd(EXIF_IFD)
        ifd[DATETIME_ORIGINAL] = f"{local:%Y:%m:%d %H:%M:%S}"
        ifd[OFFSET_TIME_ORIGINAL] = local.strftime("%z")[:3] + ":" + local.strftime("%z")[3:]
    if lat is not None:
        gps = clean.get_ifd(GPS_IFD)
        gps[1] = "N" if lat >= 0 else "S"
        gps[2] = _deg_to_dms(lat)
        gps[3] = "E" if lon >= 0 else "W"
        gps[4] = _deg_to_dms(lon)
    out = io.BytesIO()
    image.save(
        out, format="JPEG", quality=JPEG_QUALITY, optimize=True, exif=clean.tobytes(), comment=b""
    )
    return CleanPhoto(
        content=ContentFile(out.getvalue(), name="photo.jpg"),
        taken_at=taken_at,
        latitude=lat,
        longitude=lon,
        width=image.width,
        height=image.height,
    )

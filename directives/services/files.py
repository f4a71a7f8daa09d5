"""Uploaded files: photos are re-encoded (which strips EXIF and any payload), other
attachments are checked by extension and size."""

import io
import uuid
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_PHOTO_SIDE = 2048
DOCUMENT_EXTENSIONS = {".pdf", ".doc", ".docx", ".xls", ".xlsx", ".txt"}
IMAGE_EXTENSIONS = {".jpg", ".jpeg", ".png", ".webp", ".heic"}


def store_upload(upload, *, image_only: bool) -> ContentFile:
    """A ContentFile ready for a FileField, or a ValidationError naming the file."""
    name = PurePath(getattr(upload, "name", "") or "file").name
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_UPLOAD_BYTES:
        raise ValidationError({"files": [_("%(name)s 超过 10 MB") % {"name": name}]})
    suffix = PurePath(name).suffix.lower()
    if suffix in IMAGE_EXTENSIONS or image_only:
        return _photo(upload, name)
    if suffix not in DOCUMENT_EXTENSIONS:
        raise ValidationError({"files": [_("不支持的文件类型：%(name)s") % {"name": name}]})
    return ContentFile(upload.read(), name=f"{uuid.uuid4().hex[:8]}-{name}")


def _photo(upload, name: str) -> ContentFile:
    try:
        image = Image.open(upload)
        image.load()
    except (UnidentifiedImageError, OSError, ValueError):
        raise ValidationError({"photos": [_("%(name)s 不是有效的图片") % {"name": name}]}) from None
    image = ImageOps.exif_transpose(image).convert("RGB")
    image.thumbnail((MAX_PHOTO_SIDE, MAX_PHOTO_SIDE))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    stem = PurePath(name).stem[:60] or "photo"
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex[:8]}-{stem}.jpg")

"""Writes of the public's part: residents' reports (from the signboard page or Open311), the
office's handling of them, articles, and what the office publishes on signboards."""

import io
import re
import secrets
import uuid
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from core.models import Region, User
from core.scoping import can_manage_registry, scope_code
from public.models import (
    Article,
    Category,
    OfficeContact,
    Open311Client,
    PublishedChiefPhone,
    Report,
    ReportPhoto,
    hash_address,
)
from public.selectors import recent_reports_from, town_of
from rivers.models import Chief, River

MAX_PHOTOS = 3
MAX_PHOTO_BYTES = 10 * 1024 * 1024
# A phone camera makes about 12-50 megapixels; anything larger is refused before decoding,
# so a small file that inflates to gigabytes (a "decompression bomb") is never decoded.
MAX_PHOTO_PIXELS = 60_000_000
MAX_PHOTO_SIDE = 2048
MAX_TEXT = 2000
MIN_TEXT = 5
URL_RE = re.compile(r"(https?://|www\.|\.com\b|\.cn/)", re.IGNORECASE)


# --- rate limit and spam ----------------------------------------------------------------------


class RateLimited(Exception):
    """Too many reports from one address within the hour."""


def check_rate(*, address: str) -> None:
    """Count a report against its address (Django cache, one-hour window); raise when over."""
    limit = settings.PUBLIC_REPORTS_PER_HOUR
    key = f"public-report-rate:{hash_address(address)}:{timezone.now():%Y%m%d%H}"
    cache.add(key, 0, timeout=3600)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=3600)
        count = 1
    if count > limit:
        raise RateLimited(_("提交过于频繁，请一小时后再试"))


def spam_reason(*, text: str, honeypot: str = "", address_hash: str = "") -> str:
    """Why a report looks like spam ("" when it does not)."""
    if honeypot.strip():
        return "honeypot"
    if len(URL_RE.findall(text)) >= 1:
        return "link"
    lowered = text.lower()
    if any(word and word.lower() in lowered for word in settings.PUBLIC_SPAM_WORDS):
        return "word"
    if re.search(r"(.)\1{9,}", text):
        return "repeated"
    if (
        address_hash
        and recent_reports_from(address_hash=address_hash).filter(text=text.strip()).exists()
    ):
        return "duplicate"
    return ""


# --- photos -----------------------------------------------------------------------------------


def reencode_photo(upload) -> ContentFile:
    """A clean JPEG: the pixel count is checked before decoding; EXIF, GPS and any other
    metadata or trailing payload are dropped by re-encoding the pixels only."""
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_PHOTO_BYTES:
        raise ValidationError({"photos": [_("照片不能超过 10 MB")]})
    try:
        image = Image.open(upload)  # reads the header only
        width, height = image.size
        if width * height > MAX_PHOTO_PIXELS:
            raise ValidationError({"photos": [_("照片像素过大")]})
        image.load()
        image = ImageOps.exif_transpose(image)
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise ValidationError({"photos": [_("不是有效的图片")]}) from None
    image = image.convert("RGB")
    image.thumbnail((MAX_PHOTO_SIDE, MAX_PHOTO_SIDE))
    clean = Image.new("RGB", image.size)
    clean.paste(image)
    out = io.BytesIO()
    clean.save(out, "JPEG", quality=85)
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.jpg")


# --- reports ----------------------------------------------------------------------------------


def _decimal(value, field: str, low: int, high: int) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value)).quantize(Decimal("0.000001"))
    except Exception:
        raise ValidationError({field: [_("请填写数字")]}) from None
    if not low <= number <= high:
        raise ValidationError({field: [_("超出范围")]})
    return number


@transaction.atomic
def submit_report(
    *,
    river: River,
    category: str,
    text: str,
    address: str,
    photos=(),
    latitude=None,
    longitude=None,
    location: str = "",
    contact_name: str = "",
    contact_phone: str = "",
    honeypot: str = "",
    channel: str = Report.Channel.WEB,
) -> Report:
    """File a resident's report for the office of the town that owns the river.

    Checks every field first, then spam, then the address's hourly rate (so a form error does
    not use up the resident's quota); photos are re-encoded before anything is saved.
    """
    errors: dict[str, list] = {}
    text = (text or "").strip()
    if category not in Category.values:
        errors.setdefault("category", []).append(_("请选择问题类型"))
    if len(text) < MIN_TEXT:
        errors.setdefault("text", []).append(_("请描述问题（至少 %(n)s 个字）") % {"n": MIN_TEXT})
    if len(text) > MAX_TEXT:
        errors.setdefault("text", []).append(_("最多 %(n)s 个字") % {"n": MAX_TEXT})
    photos = [p for p in photos if p]
    if len(photos) > MAX_PHOTOS:
        errors.setdefault("photos", []).append(_("最多上传 %(n)s 张照片") % {"n": MAX_PHOTOS})
    if contact_phone and not re.fullmatch(r"[0-9+\- ]{5,20}", contact_phone.strip()):
        errors.setdefault("contact_phone", []).append(_("电话号码格式不正确"))
    lat = lon = None
    try:
        lat = _decimal(latitude, "latitude", -90, 90)
        lon = _decimal(longitude, "longitude", -180, 180)
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            errors.setdefault(key, []).extend(messages)
    if (lat is None) != (lon is None):
        errors.setdefault("latitude", []).append(_("经纬度须同时填写"))
    town = town_of(river)
    if town is None or not river.is_active:
        errors.setdefault("river", []).append(_("该河道不接受举报"))
    if errors:
        raise ValidationError(errors)
    address_hash = hash_address(address)
    if spam_reason(text=text, honeypot=honeypot, address_hash=address_hash):
        raise ValidationError({"text": [_("内容疑似广告或重复提交，未予受理")]})
    check_rate(address=address)
    cleaned = [reencode_photo(p) for p in photos]

    report = Report(
        town=town,
        river=river,
        category=category,
        text=text,
        latitude=lat,
        longitude=lon,
        location=(location or "").strip()[:200],
        contact_name=(contact_name or "").strip()[:50],
        contact_phone=(contact_phone or "").strip()[:30],
        channel=channel,
        address_hash=address_hash,
    )
    report.save()
    for n, content in enumerate(cleaned, start=1):
        ReportPhoto.objects.create(report=report, image=content, position=n)
    return report


def _require_office_of(user: User, report: Report) -> None:
    code = scope_code(user)
    if not can_manage_registry(user) or code is None or not report.town.code.startswith(code):
        raise PermissionDenied(_("只有该镇河长办可以处理此举报"))


def _lock(report: Report) -> Report:
    return Report.objects.select_for_update().select_related("town", "river").get(pk=report.pk)


@transaction.atomic
def turn_into_order(
    *,
    report: Report,
    by: User,
    deadline: date,
    target_village: Region | None = None,
    target_chief: Chief | None = None,
    requirement: str = "",
):
    """Issue a supervision order (source: public report) from a waiting report, in one step.

    The order goes through directives' own ``issue_directive`` (numbering, checks, notices);
    the report's photos go with it as attachments.
    """
    from directives.models import Source
    from directives.services import issue_directive

    _require_office_of(by, report)
    report = _lock(report)
    if report.status != Report.Status.RECEIVED:
        raise ValidationError(
            {"report": [_("该举报已“%(s)s”") % {"s": report.get_status_display()}]}
        )
    attachments = []
    for photo in report.photos.all():
        photo.image.open("rb")
        attachments.append(
            ContentFile(photo.image.read(), name=f"{report.receipt}-{photo.position}.jpg")
        )
        photo.image.close()
    directive = issue_directive(
        issued_by=by,
        river=report.river,
        title=_("群众反映：%(c)s") % {"c": report.get_category_display()},
        description=report.text,
        deadline=deadline,
        source=Source.PUBLIC_REPORT,
        source_ref=report.receipt,
        location=report.location,
        latitude=report.latitude,
        longitude=report.longitude,
        target_village=target_village,
        target_chief=target_chief,
        requirement=requirement,
        attachments=attachments,
    )
    report.status = Report.Status.ORDERED
    report.directive = directive
    report.handled_by = by
    report.handled_at = timezone.now()
    report._history_user = by
    report.save()
    return report


@transaction.atomic
def close_report(*, report: Report, by: User, reason: str) -> Report:
    """Close a waiting report with a reason, which the reporter will read on the status page."""
    _require_office_of(by, report)
    report = _lock(report)
    if report.status != Report.Status.RECEIVED:
        raise ValidationError(
            {"report": [_("该举报已“%(s)s”") % {"s": report.get_status_display()}]}
        )
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("请填写办结说明")]})
    report.status = Report.Status.CLOSED
    report.close_reason = reason.strip()
    report.handled_by = by
    report.handled_at = timezone.now()
    report._history_user = by
    report.save()
    return report


# --- articles ---------------------------------------------------------------------------------


def _require_town_office(by: User, town: Region) -> None:
    code = scope_code(by)
    if not can_manage_registry(by) or code is None or not town.code.startswith(code):
        raise PermissionDenied(_("只有本镇河长办可以编辑宣传报道"))


@transaction.atomic
def save_article(
    *,
    by: User,
    title: str,
    body: str,
    summary: str = "",
    article: Article | None = None,
    town: Region | None = None,
) -> Article:
    town = article.town if article else (town or by.region)
    if town is None or town.kind != Region.Kind.TOWN:
        raise ValidationError({"town": [_("请选择镇")]})
    _require_town_office(by, town)
    errors = {}
    if not title.strip():
        errors["title"] = [_("请填写标题")]
    if not body.strip():
        errors["body"] = [_("请填写正文")]
    if errors:
        raise ValidationError(errors)
    article = article or Article(town=town, created_by=by)
    article.title, article.body, article.summary = title.strip(), body.strip(), summary.strip()
    article._history_user = by
    article.save()
    return article


@transaction.atomic
def publish_article(*, article: Article, by: User, at=None) -> Article:
    _require_town_office(by, article.town)
    article.status = Article.Status.PUBLISHED
    article.published_at = at or timezone.now()
    article._history_user = by
    article.save()
    return article


@transaction.atomic
def unpublish_article(*, article: Article, by: User) -> Article:
    _require_town_office(by, article.town)
    article.status = Article.Status.DRAFT
    article.published_at = None
    article._history_user = by
    article.save()
    return article


# --- what the office publishes on signboards --------------------------------------------------


@transaction.atomic
def set_office_contact(*, town: Region, by: User, phone: str, address: str = "") -> OfficeContact:
    _require_town_office(by, town)
    if not re.fullmatch(r"[0-9+\- ]{5,30}", (phone or "").strip()):
        raise ValidationError({"phone": [_("电话号码格式不正确")]})
    contact, _created = OfficeContact.objects.update_or_create(
        town=town, defaults={"phone": phone.strip(), "address": address.strip()}
    )
    return contact


@transaction.atomic
def publish_chief_phone(*, chief: Chief, by: User, phone: str = "") -> PublishedChiefPhone:
    """Publish a number for a chief on the signboards (the chief's own phone if none given)."""
    town = Region.objects.filter(code=chief.region.code[:9]).first()
    if town is None:
        raise ValidationError({"chief": [_("找不到河长所在镇")]})
    _require_town_office(by, town)
    phone = (phone or chief.phone or "").strip()
    if not phone:
        raise ValidationError({"phone": [_("请填写公开电话")]})
    published, _created = PublishedChiefPhone.objects.update_or_create(
        chief=chief, defaults={"phone": phone, "published_by": by, "published_at": timezone.now()}
    )
    return published


@transaction.atomic
def unpublish_chief_phone(*, chief: Chief, by: User) -> None:
    town = Region.objects.filter(code=chief.region.code[:9]).first()
    _require_town_office(by, town)
    PublishedChiefPhone.objects.filter(chief=chief).delete()


def create_open311_client(*, name: str) -> tuple[Open311Client, str]:
    """A new Open311 client; returns the key once (only its hash is stored)."""
    key = secrets.token_urlsafe(24)
    client = Open311Client.objects.create(
        name=name, prefix=key[:8], key_hash=Open311Client.hash_key(key)
    )
    return client, key


def open311_client(*, key: str) -> Open311Client | None:
    if not key:
        return None
    return Open311Client.objects.filter(
        key_hash=Open311Client.hash_key(key), is_active=True
    ).first()

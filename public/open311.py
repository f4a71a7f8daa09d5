"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2): our reports as "service
requests", the patrol categories as "services".

A request needs a river: the ``attribute[river]`` answer (a river code), or else the river
nearest to ``lat``/``long`` within ``OPEN311_RIVER_RADIUS_M``. Nothing personal is ever
returned: no name, e-mail, phone or device id (the spec's optional reporter fields are kept for
the office only).
"""

from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.models import Region
from patrols.geo import distances_to_river_m
from public.models import Category, Report
from rivers.models import River

GROUP = gettext_lazy("河湖问题")


def services() -> list[dict]:
    return [
        {
            "service_code": code,
            "service_name": str(label),
            "description": str(label),
            "metadata": True,
            "type": "realtime",
            "keywords": "",
            "group": str(GROUP),
        }
        for code, label in Category.choices
    ]


def definition(code: str) -> dict | None:
    if code not in Category.values:
        return None
    return {
        "service_code": code,
        "attributes": [
            {
                "variable": True,
                "code": "river",
                "datatype": "string",
                "required": False,
                "datatype_description": _(
                    "河道编码，如 ZJ-Z001（见公示牌）；不填时按经纬度取最近的河道"
                ),
                "order": 1,
                "description": _("河道编码"),
                "values": [],
            }
        ],
    }


def jurisdiction_ok(jurisdiction_id: str) -> bool:
    if not jurisdiction_id:
        return True
    configured = settings.OPEN311_JURISDICTION
    if configured:
        return jurisdiction_id == configured or jurisdiction_id.startswith(configured)
    return Region.objects.filter(code=jurisdiction_id).exists()


def _jurisdiction_rivers():
    rivers = River.objects.filter(is_active=True)
    if settings.OPEN311_JURISDICTION:
        rivers = rivers.filter(region__code__startswith=settings.OPEN311_JURISDICTION)
    return rivers


def nearest_river(lat: float, lon: float) -> River | None:
    best, best_d = None, float(settings.OPEN311_RIVER_RADIUS_M)
    for river in _jurisdiction_rivers().exclude(geometry__isnull=True):
        d = distances_to_river_m([(lat, lon)], river.geometry, crs=river.geometry_crs)
        if d and d[0] <= best_d:
            best, best_d = river, d[0]
    return best


def river_for(*, code: str, lat, lon) -> River:
    if code:
        river = _jurisdiction_rivers().filter(code=code.strip()).first()
        if river is None:
            raise ValidationError({"attribute[river]": [_("河道编码不存在")]})
        return river
    if lat in (None, "") or lon in (None, ""):
        raise ValidationError({"lat": [_("请提供经纬度或河道编码")]})
    try:
        river = nearest_river(float(lat), float(lon))
    except (TypeError, ValueError):
        raise ValidationError({"lat": [_("经纬度格式不正确")]}) from None
    if river is None:
        raise ValidationError({"lat": [_("附近没有登记的河道，请填写河道编码")]})
    return river


def status_of(report: Report) -> str:
    """Open311 has two statuses: open until the office closed it or its order was closed."""
    if report.status == Report.Status.CLOSED:
        return "closed"
    if report.directive_id and report.directive.status == "closed":
        return "closed"
    return "open"


def _iso(value: datetime | None) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


def as_request(report: Report) -> dict:
    """One service request as the spec names its fields; no personal data."""
    notes = ""
    if report.status == Report.Status.CLOSED:
        notes = report.close_reason
    elif report.directive_id:
        notes = _("已转督办单 %(n)s，整改期限 %(d)s") % {
            "n": report.directive.number,
            "d": report.directive.deadline,
        }
    updated = report.handled_at or report.created_at
    if report.directive_id and report.directive.closed_at:
        updated = report.directive.closed_at
    return {
        "service_request_id": report.receipt,
        "status": status_of(report),
        "status_notes": notes,
        "service_name": report.get_category_display(),
        "service_code": report.category,
        "description": report.text,
        "agency_responsible": f"{report.town.name}河长办",
        "service_notice": "",
        "requested_datetime": _iso(report.created_at),
        "updated_datetime": _iso(updated),
        "expected_datetime": (
            _iso(
                timezone.make_aware(
                    datetime.combine(report.directive.deadline, datetime.min.time())
                )
            )
            if report.directive_id
            else None
        ),
        "address": report.location or report.river.name,
        "address_id": report.river.code,
        "zipcode": "",
        "lat": float(report.latitude) if report.latitude is not None else None,
        "long": float(report.longitude) if report.longitude is not None else None,
        # Residents' photos may show people or number plates: not published.
        "media_url": "",
    }

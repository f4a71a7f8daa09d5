"""The office's own words around the annual report's figures."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import Region, User
from core.scoping import require_office, require_region_in_scope
from overview.models import ReportNarrative
from overview.selectors.report import SECTIONS

NARRATIVE_SECTIONS = ["intro", *[key for key, _title in SECTIONS], "outlook"]
MAX_NARRATIVE = 5000


@transaction.atomic
def save_narrative(
    *, user: User, town: Region, year: int, section: str, text: str
) -> ReportNarrative:
    """Write (or clear) one section's paragraph; only the office of a town in scope may."""
    require_office(user)
    require_region_in_scope(user, town)
    if town.kind != Region.Kind.TOWN:
        raise PermissionDenied(_("年度总结按镇编写"))
    if section not in NARRATIVE_SECTIONS:
        raise ValidationError({"section": [_("没有这个章节")]})
    text = (text or "").strip()
    if len(text) > MAX_NARRATIVE:
        raise ValidationError({"text": [_("不能超过 %(n)d 字") % {"n": MAX_NARRATIVE}]})
    narrative, _created = ReportNarrative.objects.update_or_create(
        town=town,
        year=year,
        section=section,
        defaults={"text": text, "updated_by": user, "updated_at": timezone.now()},
    )
    return narrative

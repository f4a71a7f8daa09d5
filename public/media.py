"""Who may read this app's uploads (residents' report photos): the record's own scope (core.media)."""

from core.media import register_owner
from public.models import Report, ReportPhoto


@register_owner("public/reports/")
def report_photo(name: str, user) -> bool:
    ids = ReportPhoto.objects.filter(image=name).values("report_id")
    return Report.objects.visible_to(user).filter(pk__in=ids).exists()

"""Who may read this app's uploads (report photos, signboard prints): the record's own scope
(core.media)."""

from core.media import register_owner
from public.models import Report, ReportPhoto, SignboardPrint


@register_owner("public/reports/")
def report_photo(name: str, user) -> bool:
    ids = ReportPhoto.objects.filter(image=name).values("report_id")
    return Report.objects.visible_to(user).filter(pk__in=ids).exists()


@register_owner("public/signboards/")
def signboard_print(name: str, user) -> bool:
    # The chunks waiting to be joined (public/signboards/parts/) are no print's file: 404.
    return SignboardPrint.objects.visible_to(user).filter(file=name, status="done").exists()

"""Who may read this app's uploads (finding photos): the record's own scope (core.media)."""

from core.media import register_owner
from patrols.models import Finding, FindingPhoto


@register_owner("patrols/findings/")
def finding_photo(name: str, user) -> bool:
    ids = FindingPhoto.objects.filter(image=name).values("finding_id")
    return Finding.objects.visible_to(user).filter(pk__in=ids).exists()

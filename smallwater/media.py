"""Who may read this app's uploads (small-water-body photos): the record's own scope (core.media)."""

from core.media import register_owner
from rivers.models import WaterBody
from smallwater.models import Photo


@register_owner("smallwater/")
def smallwater_photo(name: str, user) -> bool:
    ids = Photo.objects.filter(image=name).values("water_body_id")
    return WaterBody.objects.visible_to(user).filter(pk__in=ids).exists()

"""Who may read this app's uploads (order attachments and rectification photos): the record's own scope (core.media)."""

from core.media import register_owner
from directives.models import Attachment, Directive


@register_owner("directives/")
def attachment(name: str, user) -> bool:
    ids = Attachment.objects.filter(file=name).values("directive_id")
    return Directive.objects.visible_to(user).filter(pk__in=ids).exists()

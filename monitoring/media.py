"""Who may read this app's uploads (lab import files): the record's own scope (core.media)."""

from core.media import register_owner
from monitoring.selectors import imports_for


@register_owner("monitoring/imports/")
def lab_file(name: str, user) -> bool:
    return imports_for(user=user).filter(file=name).exists()

"""Who may read this app's uploads (responsibility-letter scans): the record's own scope (core.media)."""

from core.media import register_owner
from plans.selectors import responsibility_letters_for


@register_owner("plans/letters/")
def letter_scan(name: str, user) -> bool:
    return responsibility_letters_for(user=user).filter(scan=name).exists()

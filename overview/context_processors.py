"""Context for every page that reads from a feature app (core's own processor reads none).

Both are read when the page prints them (the top bar), not when a template without the top bar
(an htmx fragment) is rendered.
"""

from django.utils.functional import SimpleLazyObject

from notices.selectors import unread_count


def notifications(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notifications": 0}
    return {"unread_notifications": SimpleLazyObject(lambda: unread_count(user=user))}


def user_title(request):
    """What the top bar calls the user: a chief's title when it says more than the role
    (第一总河长 rather than 镇级河长), otherwise the role."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"user_title": ""}
    return {"user_title": SimpleLazyObject(lambda: _title(user))}


def _title(user) -> str:
    from rivers.models import Chief
    from rivers.selectors import chief_title

    if user.role in ("town_chief", "village_chief"):
        title = chief_title(user=user)
        if title is not None and title != Chief.Title.CHIEF:
            return str(dict(Chief.Title.choices).get(title, title))
    return user.get_role_display()

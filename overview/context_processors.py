"""Context for every page that reads from a feature app (core's own processor reads none)."""

from notices.selectors import unread_count


def notifications(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notifications": 0}
    return {"unread_notifications": unread_count(user=user)}


def user_title(request):
    """What the top bar calls the user: a chief's title when it says more than the role
    (第一总河长 rather than 镇级河长), otherwise the role."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"user_title": ""}
    chief = getattr(user, "chief", None) if user.role in ("town_chief", "village_chief") else None
    if chief is not None and chief.title != "chief":
        return {"user_title": chief.get_title_display()}
    return {"user_title": user.get_role_display()}

"""Which towns a user may look at, and the view of one town as its own office sees it."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from core.models import Region, User
from core.scoping import visible_regions


def towns_for(user: User) -> list[Region]:
    """The towns the user may look at: their own town, or every town of their district."""
    towns = list(visible_regions(user).filter(kind=Region.Kind.TOWN).order_by("code"))
    if not towns and user.region_id and user.region.kind == Region.Kind.VILLAGE:
        return [user.region.parent]
    return towns


def pick_town(user: User, code: str | None, *, towns: list[Region] | None = None) -> Region:
    """The town asked for by its code, or the user's first; refuses a town out of scope.
    ``towns``: :func:`towns_for` of the user, when the caller has it already."""
    towns = towns_for(user) if towns is None else towns
    if not towns:
        raise PermissionDenied(_("您的账号没有可查看的镇"))
    if not code:
        return towns[0]
    for town in towns:
        if town.code == code:
            return town
    raise PermissionDenied(_("该镇不在您的管辖范围内"))


def town_viewer(user: User, town: Region) -> User:
    """An unsaved stand-in for ``user`` scoped to ``town``: every app's ``visible_to`` then
    shows exactly what that town's office sees. Only for reads; the town must be in the
    user's scope (see :func:`pick_town`)."""
    if user.region_id == town.pk:
        return user
    return User(
        pk=None, username=f"{user.username}@{town.code}", role=User.Role.OFFICE, region=town
    )

"""The town map (地图): the page, and its layers as GeoJSON."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.gzip import gzip_page

from core.models import Region
from core.scoping import can_manage_registry
from monitoring.standards import class_label
from overview.permissions import sees_overview
from overview.scoping import pick_town, town_viewer, towns_for
from overview.selectors.map import TRACK_DAYS, map_layers


def _scope(request):
    if not sees_overview(request.user):
        raise PermissionDenied
    town = pick_town(request.user, request.GET.get("town"))
    villages = list(Region.objects.filter(parent=town, kind=Region.Kind.VILLAGE).order_by("code"))
    chosen = request.GET.get("village") or ""
    village = next((v for v in villages if str(v.pk) == chosen), None)
    return town, villages, village


@login_required
def town_map(request):
    town, villages, village = _scope(request)
    return render(
        request,
        "overview/map.html",
        {
            "town": town,
            "towns": towns_for(request.user),
            "villages": villages,
            "village": village,
            "labels": {
                "classes": {str(c): class_label(c) for c in range(1, 7)},
                "no_data": _("无监测"),
                "layers": {
                    "villages": _("村界"),
                    "rivers": _("河道（按水质类别）"),
                    "black_odour": _("黑臭河道"),
                    "gates": pgettext("plural", "水闸"),
                    "points": _("监测点位"),
                    "sites": _("智慧水务监测点（规划）"),
                    "orders": _("未办结督办单"),
                    "tracks": _("近%(n)d天巡河轨迹") % {"n": TRACK_DAYS},
                },
            },
        },
    )


@login_required
@gzip_page  # a town's courses are megabytes of coordinates; gzipped about a fifth
def town_map_data(request):
    town, _villages, village = _scope(request)
    data = map_layers(
        viewer=town_viewer(request.user, town),
        town=town,
        village=village,
        editor=can_manage_registry(request.user),
    )
    return JsonResponse(data, content_type="application/geo+json")

"""The office's dashboard (office staff and the inspector)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from monitoring.standards import class_label
from overview.permissions import sees_overview
from overview.scoping import pick_town, town_viewer, towns_for
from overview.selectors.dashboard import cached_dashboard, chart_data


@login_required
def dashboard(request):
    if not sees_overview(request.user):
        raise PermissionDenied
    towns = towns_for(request.user)
    town = pick_town(request.user, request.GET.get("town"), towns=towns)
    board, summary = cached_dashboard(viewer=town_viewer(request.user, town), town=town)
    return render(
        request,
        "overview/dashboard.html",
        {
            "board": board,
            "town": town,
            "towns": towns,
            "summary": summary,
            "chart": chart_data(board),
            "class_labels": [class_label(c) for c in range(1, 7)],
            "chart_labels": _chart_labels(),
        },
    )


def _chart_labels() -> dict:
    return {
        **{str(c): class_label(c) for c in range(1, 7)},
        "black_odour": _("黑臭"),
        "rivers": _("河道数"),
        "met": _("已达标"),
        "in_progress": _("进行中"),
        "behind": pgettext("patrol duty", "未达标"),
        "chiefs": _("河长数"),
    }

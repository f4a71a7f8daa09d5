"""Statistics and archive of patrols, and their export."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.choices import ChiefLevel
from core.models import Region
from core.params import query_id
from core.scoping import require_year, visible_regions
from patrols import exports, selectors
from patrols.selectors.stats import GROUPS
from patrols.views.common import xlsx_response
from rivers.models import Chief


def _stats(request):
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    require_year(year)
    group = request.GET.get("group") if request.GET.get("group") in GROUPS else "level"
    level = request.GET.get("level") if request.GET.get("level") in ChiefLevel.values else None
    return selectors.patrol_stats(
        user=request.user,
        year=year,
        group=group,
        level=level,
        region_id=query_id(request.GET, "region"),
    )


# Lazy: read at import, these would keep the language of whoever imported the module first.
GROUP_LABELS = {
    "chief": gettext_lazy("河长"),
    "village": gettext_lazy("村/镇"),
    "level": gettext_lazy("级别"),
    "month": gettext_lazy("月份"),
}


@login_required
def stats(request):
    result = _stats(request)
    chart = {
        "labels": [r.label for r in result.rows],
        "patrols": [r.patrols for r in result.rows],
        "findings": [r.findings for r in result.rows],
        "patrolsLabel": _("巡河次数"),
        "findingsLabel": _("发现问题"),
    }
    return render(
        request,
        "patrols/stats.html",
        {
            "stats": result,
            "groups": [(g, GROUP_LABELS[g]) for g in GROUPS],
            "group_label": GROUP_LABELS[result.group],
            "chart": chart,
            "years": range(timezone.localdate().year, 2016, -1),
            "levels": Chief._meta.get_field("level").choices,
            "regions": visible_regions(request.user).exclude(kind=Region.Kind.DISTRICT),
            "chosen": {
                "level": request.GET.get("level") or "",
                "region": request.GET.get("region") or "",
            },
        },
    )


@login_required
def stats_export(request):
    result = _stats(request)
    content = exports.stats_workbook(stats=result, group_label=str(GROUP_LABELS[result.group]))
    return xlsx_response(content, f"patrols-{result.year}-{result.group}.xlsx")

"""Patrol pages: the list, one patrol, the phone page and after-the-fact entry."""

from functools import cache
from html import escape
from types import SimpleNamespace

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.template import Context
from django.template.base import render_value_in_context
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.choices import ChiefLevel, labels
from core.links import url_of
from core.paginator import IdsFirstPaginator
from core.rows import display_name
from core.scoping import can_manage_registry
from patrols import authenticity, selectors, services
from patrols.filters import PatrolFilter
from patrols.forms import FindingForm, RecordPatrolForm, ReviewForm
from patrols.models import AuthenticityPolicy, Finding, FindingPhoto, Patrol
from patrols.views.common import add_errors, can_edit_patrol
from rivers.models import Reach, River

PAGE_SIZE = 30


@login_required
def patrol_list(request):
    """All visible patrols (office), one's own village's (chiefs); ``?river=`` for one river."""
    user = request.user
    qs = selectors.patrols_for(user=user, finding_count=False)
    filterset = PatrolFilter(request.GET or None, queryset=qs, user=user)
    chosen = {}
    if filterset.is_bound and filterset.is_valid():
        chosen = filterset.form.cleaned_data
    listed = filterset.qs
    # What narrowed the list: a bound form's valid fields (an invalid one is left out of both).
    applied = filterset.form.cleaned_data if filterset.is_bound else {}
    # The count and each page's ids remembered while no patrol in the list changed.
    remembered = selectors.RememberedList(listed, user=user, filters=applied)
    page = IdsFirstPaginator(
        listed,
        PAGE_SIZE,
        rows=selectors.patrol_rows(),
        ids=lambda offset, limit: remembered.get(
            f"ids:{offset}:{limit}",
            lambda: selectors.page_ids(
                listed, user=user, chosen=chosen, offset=offset, limit=limit
            ),
        ),
        count=remembered.count,
    ).get_page(request.GET.get("page"))
    page.object_list = _dress_rows(page.object_list)
    river = chosen.get("river")
    return render(
        request,
        "patrols/patrol_list.html",
        {
            "filter": filterset,
            "page": page,
            "river": river,
            "is_chief": hasattr(request.user, "chief"),
        },
    )


def _dress_rows(rows) -> list[SimpleNamespace]:
    """Each list row as markup, written once per row from its plain row
    (``selectors.patrol_rows``), beside the ids the tests and links read: a URL reversed,
    three ``get_FOO_display`` (each rebuilding its field's choices) and a translated duration
    per row were a third of the list's time, then the template's two dozen tags and variables
    a row half of what was left. The same HTML as patrol_list.html wrote, whitespace included;
    every text escaped as the template's autoescape escapes it."""
    url = url_of("patrols:patrol-detail")
    levels = {k: escape(v) for k, v in labels(ChiefLevel).items()}
    # Only these two statuses and reviews print a tag (as the template's {% if %}s chose).
    status_tags = {
        Patrol.Status.IN_PROGRESS: (
            f'<span class="tag">{escape(labels(Patrol.Status)[Patrol.Status.IN_PROGRESS])}</span>'
        )
    }
    reviews = labels(Patrol.Review)
    review_tags = {
        Patrol.Review.REJECTED: (
            f'<span class="tag bad">{escape(reviews[Patrol.Review.REJECTED])}</span>'
        ),
        Patrol.Review.ACCEPTED: (
            f'<span class="tag ok">{escape(reviews[Patrol.Review.ACCEPTED])}</span>'
        ),
    }
    minutes = _("%(m)s 分钟")
    # The text of core.templatetags.numbers.km (two decimals, thousands grouped), its unit
    # translated once a page rather than once a row.
    length = _("%(n)s 公里")
    walked_by = _("%(w)s 代巡")
    flag_title = escape(_("真实性提示"))
    # patrols/_flags.html looked each flag up by looping over every label, per row.
    flag_tags = {
        code: f'<span class="tag warn" title="{flag_title}">{escape(label)}</span> '
        for code, label in labels(authenticity.LABELS.items()).items()
    }
    unknown_flag = f'<span class="tag warn" title="{flag_title}"></span> '
    zone = timezone.get_current_timezone()
    dressed = []
    for row in rows:
        m = Patrol.minutes_between(row.started_at, row.ended_at)
        walker = (
            # As {% blocktrans %} wrote it: the name escaped, the translation as it is.
            f'<br><small class="muted">{walked_by % {"w": escape(row.walker_name)}}</small>'
            if row.walker_name
            else ""
        )
        reach = (
            f'<br><small class="muted">{escape(row.reach__name)}</small>'
            if row.reach_id is not None
            else ""
        )
        line = _ROW.format(
            flag="flag" if row.flags else "",
            url=escape(url(row.pk)),
            started=row.started_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
            chief=escape(
                display_name(
                    row.chief__user__last_name,
                    row.chief__user__first_name,
                    row.chief__user__username,
                )
            ),
            walker=walker,
            level=levels[row.level] if row.level in levels else escape(str(row.level)),
            region=escape(row.region__name),
            river=escape(row.river__name),
            reach=reach,
            duration="—" if m is None else escape(minutes % {"m": m}),
            distance=escape(length % {"n": f"{row.distance_m / 1000:,.2f}"}),
            findings=row.finding_count,
            status=status_tags.get(row.status, ""),
            review=review_tags.get(row.review, ""),
            flags="".join(flag_tags.get(code, unknown_flag) for code in row.flags),
        )
        dressed.append(
            SimpleNamespace(
                pk=row.pk, chief_id=row.chief_id, river_id=row.river_id, line=mark_safe(line)
            )
        )
    return dressed


# One row as patrol_list.html wrote it (the loop's own indentation included).
_ROW = """
    <tr class="{flag}">
      <td><a href="{url}">{started}</a></td>
      <td>{chief}{walker}<br><small class="muted">{level} · {region}</small></td>
      <td>{river}{reach}</td>
      <td class="num">{duration}</td>
      <td class="num">{distance}</td>
      <td class="num">{findings}</td>
      <td>{status}
          {review}
          {flags}
</td>
    </tr>
  """


@login_required
def river_patrols(request, river_id: int):
    """The latest patrols of one river: a fragment the river's page can load (htmx)."""
    river = get_object_or_404(River.objects.visible_to(request.user), pk=river_id)
    patrols = selectors.patrols_for(user=request.user).filter(river=river)[:10]
    return render(
        request,
        "patrols/_river_patrols.html",
        {"river": river, "patrols": patrols, "labels": authenticity.LABELS},
    )


@login_required
def patrol_detail(request, pk: int):
    patrol = get_object_or_404(
        # No finding count: the page lists the findings themselves.
        selectors.patrols_for(user=request.user, finding_count=False).prefetch_related(
            Prefetch(
                "findings",
                queryset=Finding.objects.prefetch_related(
                    Prefetch("photos", queryset=FindingPhoto.objects.order_by("uploaded_at"))
                ).order_by("found_at"),
            )
        ),
        pk=pk,
    )
    track = [[p[0], p[1]] for p in patrol.points.values_list("latitude", "longitude")]
    rules = {}
    if patrol.flags:  # the thresholds a flag broke, read only when there is a flag to explain
        thresholds = authenticity.Thresholds.of(AuthenticityPolicy.for_region(patrol.region))
        rules = authenticity.describe(thresholds)
    history = patrol.history.select_related("history_user").order_by("-history_date")[:50]
    return render(
        request,
        "patrols/patrol_detail.html",
        {
            "patrol": patrol,
            "flags": [(f, authenticity.LABELS.get(f, f), rules.get(f, "")) for f in patrol.flags],
            "map_data": {"track": track, "river": patrol.river.geometry},
            "history": history,
            "review_fields": _review_fields(get_language(), patrol.review),
            "can_review": can_manage_registry(request.user),
            "can_edit": can_edit_patrol(patrol, request.user),
            "finding_fields": _finding_fields(get_language()),
        },
    )


# The two blank forms of the detail page, rendered once per process and language (and review
# decision): their markup depends on nothing else, and rendering them through the widget
# templates on every request was a quarter of the page's Python.
@cache
def _review_fields(language: str | None, decision: str) -> str:
    form = ReviewForm(initial={"decision": decision})
    # As the template's loop wrote them, each field in its label, through the template's own
    # rendering of a variable (localized, autoescaped).
    context = Context(autoescape=True)
    return mark_safe(
        "".join(
            f"<label>{render_value_in_context(field.label, context)}"
            f"{render_value_in_context(field, context)}</label>"
            for field in form
        )
    )


@cache
def _finding_fields(language: str | None) -> str:
    return FindingForm().as_div()


@require_POST
@login_required
def patrol_review(request, pk: int):
    patrol = get_object_or_404(Patrol.objects.visible_to(request.user), pk=pk)
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            services.review_patrol(patrol=patrol, by=request.user, **form.cleaned_data)
            messages.success(request, _("审核结论已保存"))
        except ValidationError as exc:
            for msg in exc.messages:
                messages.error(request, msg)
    return redirect("patrols:patrol-detail", pk=pk)


@login_required
def patrol_start(request):
    """The phone page: pick a river, start, record the track and findings, finish."""
    user = request.user
    if not hasattr(user, "chief"):
        messages.error(request, _("只有河长可以开始巡河；河长办可以补录巡河"))
        return redirect("patrols:patrol-record")
    # Names and codes for the select, not each river's course (hundreds for a large village),
    # as plain rows, and the options written here: 250 River models and the template's tags
    # for each option were two thirds of the page's time.
    assigned = River.objects.assigned_to(user)
    rivers = list(assigned.order_by("code").values_list("pk", "name", "code"))
    # html.escape, as the template's autoescape, without Django's lazy-string checks per call.
    river_options = mark_safe(
        "".join(
            f'<option value="{pk}">{escape(name)}（{escape(code)}）</option>'
            for pk, name, code in rivers
        )
    )
    # Each reach is labelled with its river's name (Reach.__str__): read in the same query.
    # The rivers as a subquery, not 250 ids for the ORM to prepare one by one.
    reaches = list(
        Reach.objects.filter(river__in=assigned.values("pk"), assignments__chief__user=user)
        .select_related("river")
        .only("pk", "name", "position", "river_id", "river__name")
        .distinct()
        .order_by("river", "position")
    )
    config = {
        "api": {"patrols": reverse("patrol-list"), "findings": reverse("finding-list")},
        "detailUrl": reverse("patrols:patrol-detail", kwargs={"pk": 0}),
        "text": {
            "started": _("巡河已开始，请保持此页面打开"),
            "finished": _("巡河已结束"),
            "offline": _("离线：数据保存在手机上，联网后自动上传"),
            "online": _("在线"),
            "pending": _("待上传"),
            "noGeo": _("此浏览器无法获取位置"),
            "geoError": _("无法获取位置："),
            "geoReasons": {
                "1": _("没有定位权限，请在浏览器设置中允许本网站使用位置"),
                "2": _("暂时收不到定位信号（室内或遮挡处），正在继续尝试"),
                "3": _("定位超时，正在继续尝试"),
                "other": _("定位出错，正在继续尝试"),
            },
            "geoBack": _("定位已恢复（精度约 %(m)s 米）"),
            "confirmFinish": _("确定结束本次巡河吗？"),
            "findingSaved": _("问题已记录"),
            "chooseRiver": _("请选择河道"),
            "wakeLock": _("已保持屏幕常亮"),
            "noWakeLock": _("无法保持屏幕常亮，锁屏后可能无法记录轨迹"),
            "error": _("上传失败："),
            "view": _("查看巡河记录"),
        },
        "categories": Finding.Category.choices,
    }
    return render(
        request,
        "patrols/patrol_start.html",
        {"rivers": rivers, "river_options": river_options, "reaches": reaches, "config": config},
    )


@login_required
def patrol_record(request):
    """After-the-fact entry, optionally with a GPX track."""
    form = RecordPatrolForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        gpx = data.pop("gpx")
        try:
            patrol = services.record_patrol(
                by=request.user, gpx=gpx.read() if gpx else None, **data
            )
        except ValidationError as exc:
            add_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("巡河记录已保存"))
            return redirect("patrols:patrol-detail", pk=patrol.pk)
    return render(request, "patrols/patrol_record.html", {"form": form})

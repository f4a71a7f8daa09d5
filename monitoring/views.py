from datetime import timedelta
from html import escape

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Max
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import floatformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.choices import labels
from core.links import url_of
from core.paginator import CountedPaginator
from monitoring import exports, import_jobs, selectors, services, standards
from monitoring.forms import ImportForm, RiverFilterForm
from monitoring.models import ImportJob, MonitoringPoint, Sample
from monitoring.periods import Period
from monitoring.templatetags.monitoring_tags import class_css, mean_of, odour_css
from rivers.models import River

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _default_period(user) -> Period:
    """The month of the latest sample the user may see (this month if there is none)."""
    latest = Sample.objects.visible_to(user).aggregate(at=Max("sampled_at"))["at"]
    day = timezone.localtime(latest).date() if latest else timezone.localdate()
    return Period.month(day.year, day.month)


def _filters(request):
    form = RiverFilterForm(request.GET or None, user=request.user, today=timezone.localdate())
    period, village, only = None, None, ""
    if form.is_bound and form.is_valid():
        period = form.cleaned_data["period"]
        village = form.cleaned_data["village"]
        only = form.cleaned_data["only"]
    period = period or _default_period(request.user)
    if not form.is_bound:
        form = RiverFilterForm(
            initial={"period": period.key}, user=request.user, today=timezone.localdate()
        )
    return form, period, village, only


@login_required
def river_quality_list(request):
    form, period, village, only = _filters(request)
    if request.GET.get("format") == "xlsx":
        rows = selectors.river_quality_rows(
            user=request.user, period=period, village=village, only=only
        )
        response = HttpResponse(exports.river_list_xlsx(rows, period=period), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="water-quality-{period.key}.xlsx"'
        return response
    # A page of rivers at a time, counted over all of them by the database (a town has
    # thousands: rendering every row cost seconds).
    stored, summary = selectors.stored_status_list(
        user=request.user, period=period, village=village, only=only
    )
    # The tiles count the same rows: the paginator need not count them again.
    page = CountedPaginator([], 50, count=summary["rivers"]).get_page(request.GET.get("page"))
    rows = stored.rows(max(page.start_index() - 1, 0), page.end_index())
    page.object_list = rows
    return render(
        request,
        "monitoring/river_list.html",
        {
            "form": form,
            "period": period,
            "page": page,
            "rows": rows,
            "lines": _quality_lines(rows, period),
            "summary": summary,
            "export_query": request.GET.urlencode(),
            "items": [standards.PARAMETERS[c] for c in LIST_ITEMS],
            "can_import": services.can_record_samples(request.user),
        },
    )


LIST_ITEMS = ("do", "codmn", "nh3n", "tp")


def _quality_lines(rows, period: Period) -> list[str]:
    """Each row of the water-quality list as markup, written once per row: the template's
    filters and labels per row (a URL reversed, class and odour labels translated each time,
    four means formatted through a filter), then its two dozen tags and variables a row,
    were most of the page's time. The same HTML as river_list.html wrote with
    ``monitoring_tags``, whitespace included; every text escaped as the template escapes it.
    """
    url = url_of("monitoring:river-detail")
    class_label = {c: escape(standards.class_label(c)) for c in standards.CLASS_LABELS}
    quality = {q: escape(str(q.label)) for q in standards.Quality}
    odour = {
        o: f'<span class="tag {odour_css(o)}">{escape(str(o.label))}</span>'
        for o in standards.Odour
    }
    meets = {
        None: "—",
        True: f'<span class="tag ok">{escape(_("达标"))}</span>',
        False: f'<span class="tag bad">{escape(_("未达标"))}</span>',
    }
    trend = {
        "better": f'<span class="tag ok">↑ {escape(_("好转"))}</span>',
        "worse": f'<span class="tag bad">↓ {escape(_("变差"))}</span>',
        "same": f'<span class="tag">{escape(_("持平"))}</span>',
    }
    no_data = f'<span class="muted">{escape(_("无数据"))}</span>'
    previous_word = escape(_("上期"))
    period_key = escape(period.key)
    items = [standards.PARAMETERS[c] for c in LIST_ITEMS]
    lines = []
    for row in rows:
        s, river = row.status, row.river
        if s.water_class:
            water = (
                f'<span class="tag {class_css(s.water_class)}">'
                f"{class_label.get(s.water_class, '—')}</span><br>"
                f'<small class="muted">'
                f"{quality[s.quality] if s.quality is not None else ''}</small>"
            )
        else:
            water = no_data
        previous = s.previous_class and class_label.get(s.previous_class, "—")
        means = "".join(f'<td class="num">{escape(mean_of(s.means, p))}</td>' for p in items)
        villages = "、".join(row.villages) or river.region_name
        lines.append(
            _QUALITY_ROW.format(
                flag=' class="flag"' if s.is_worse_than_v else "",
                url=url(river.pk),
                period=period_key,
                name=escape(river.name),
                code=escape(river.code),
                villages=escape(villages),
                target=class_label.get(s.target_class, "—"),
                water=water,
                meets=meets[s.meets_target],
                deciding=escape("、".join(i.describe() for i in s.deciding) or "—"),
                odour="—" if s.black_odour is None else odour[s.black_odour],
                trend=trend.get(s.trend, "—"),
                previous=(
                    f'<br><small class="muted">{previous_word} {previous}</small>'
                    if previous
                    else ""
                ),
                means=means,
                counts=f"{s.point_count}/{s.sample_count}",
            )
        )
    return lines


# One row as river_list.html wrote it (the loop's own indentation included).
_QUALITY_ROW = """
    <tr{flag}>
      <td><a href="{url}?period={period}">{name}</a><br><small class="muted code">{code}</small></td>
      <td><small>{villages}</small></td>
      <td>{target}</td>
      <td>{water}</td>
      <td>{meets}</td>
      <td><small>{deciding}</small></td>
      <td>{odour}</td>
      <td>{trend}{previous}</td>
      {means}
      <td class="num">{counts}</td>
    </tr>
  """


@login_required
def river_detail(request, pk: int):
    river = get_object_or_404(
        River.objects.visible_to(request.user).select_related("region"), pk=pk
    )
    try:
        period = Period.parse(request.GET.get("period", ""))
    except ValueError:
        period = _default_period(request.user)
    status = selectors.river_status(
        river_ids=[river.id], period_start=period.start, period_end=period.end
    )[river.id]
    points = list(selectors.points_for(user=request.user, river=river).order_by("position"))
    # The charts cover the twelve months up to the end of the period.
    first = Period.month(period.end.year - 1, period.end.month).end + timedelta(days=1)
    chart_start, _x = Period(first, first).bounds()
    _y, chart_end = period.bounds()
    charts = selectors.chart_series(river=river, start=chart_start, end=chart_end)
    charts["points"] = {str(p.id): p.name for p in points}
    charts["labels"] = {
        "classes": [standards.class_label(c) for c in range(1, 6)],
        "target": _("目标"),
        "range": _("pH 6–9"),
        "none": _("该期间没有数据"),
        "odour": [_("轻度黑臭"), _("重度黑臭")],
    }
    samples = Paginator(
        selectors.samples_for(
            user=request.user, river=river, start=chart_start, end=chart_end
        ).select_related("point"),
        20,
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "monitoring/river_detail.html",
        {
            "river": river,
            "period": period,
            "status": status,
            "points": points,
            "charts": charts,
            "page": samples,
            "rows": _sample_rows(samples, river),
            "previous": period.previous(),
            "next": _next(period),
            "chart_first": first,
        },
    )


def _next(period: Period) -> Period | None:
    """The period of the same kind after this one, unless it has not started yet."""
    after = Period.of(period.end + timedelta(days=1), period.end + timedelta(days=1))
    if period.kind == "year":
        after = Period.year(period.start.year + 1)
    elif period.kind == "quarter":
        after = Period.quarter(after.start.year, (after.start.month - 1) // 3 + 1)
    elif period.kind == "month":
        after = Period.month(after.start.year, after.start.month)
    else:
        return None
    return after if after.start <= timezone.localdate() else None


def _sample_rows(samples, river=None):
    rows = []
    for s in samples:
        r = river or s.point.river
        a = s.assessment(
            water_type=r.water_type if r else "river", target_class=r.target_class if r else None
        )
        rows.append({"sample": s, "assessment": a, "odour": s.odour()})
    return rows


@login_required
def point_list(request):
    # The scope's ids in the list's order, read once (selectors.point_ids): the paginator counts
    # them, and only the page's 50 are read with their river, gate, region and sample count.
    page = Paginator(selectors.point_ids(user=request.user), 50).get_page(request.GET.get("page"))
    page.object_list = selectors.point_rows(ids=page.object_list)
    return render(
        request,
        "monitoring/point_list.html",
        {"page": page, "lines": _point_lines(page.object_list)},
    )


def _point_lines(points) -> list[str]:
    """Each point row as markup, written once per row (as the water-quality rows are): the
    links reversed once, the body's label from a dict, the coordinates formatted here; the
    template's nine cells a row, its tags and variables, were most of the page's Python.
    The same HTML as point_list.html wrote, whitespace included; every text escaped as the
    template escapes it."""
    point_url = url_of("monitoring:point-detail")
    river_url = url_of("monitoring:river-detail")
    bodies = {value: escape(label) for value, label in labels(MonitoringPoint.Body).items()}
    lines = []
    for p in points:
        river = (
            f'<a href="{river_url(p.river_id)}">{escape(p.river__name)}</a>' if p.river_id else ""
        )
        lines.append(
            _POINT_ROW.format(
                muted="" if p.is_active else ' class="muted"',
                code=escape(p.code),
                url=point_url(p.pk),
                name=escape(p.name),
                river=river,
                position=p.position,
                gate=escape(p.sluice_gate__name or ""),
                region=escape(p.region__name),
                responsible=bodies.get(p.responsible) or escape(p.responsible),
                coordinates=(
                    escape(f"{floatformat(p.latitude, 5)}, {floatformat(p.longitude, 5)}")
                    if p.latitude
                    else ""
                ),
                samples=p.sample_count,
            )
        )
    return lines


# One row as point_list.html wrote it (the loop's own indentation included).
_POINT_ROW = """
    <tr{muted}>
      <td class="code">{code}</td>
      <td><a href="{url}">{name}</a></td>
      <td>{river}</td>
      <td>{position}</td>
      <td>{gate}</td>
      <td>{region}</td>
      <td><small>{responsible}</small></td>
      <td><small>{coordinates}</small></td>
      <td class="num">{samples}</td>
    </tr>
  """


@login_required
def point_detail(request, pk: int):
    point = get_object_or_404(
        selectors.points_for(user=request.user).select_related("river"), pk=pk
    )
    samples = Paginator(
        selectors.samples_for(user=request.user, point=point).select_related("point"), 30
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "monitoring/point_detail.html",
        {"point": point, "page": samples, "rows": _sample_rows(samples, point.river)},
    )


@login_required
def sample_detail(request, pk: int):
    sample = get_object_or_404(
        selectors.samples_for(user=request.user).select_related(
            "point__river", "created_by", "import_job"
        ),
        pk=pk,
    )
    river = sample.point.river
    water_type = river.water_type if river else "river"
    target = river.target_class if river else None
    assessment = sample.assessment(water_type=water_type, target_class=target)
    by_code = {i.code: i for i in assessment.items}
    odour = standards.odour_levels(sample.values(), water_depth_cm=sample.water_depth_cm)
    lines = []
    for param in standards.PARAMETERS.values():
        value = getattr(sample, param.code)
        if value is None:
            continue
        limits = param.limits_for(water_type)
        item = by_code.get(param.code)
        if param.code == "tn" and assessment.total_nitrogen is not None:
            item = assessment.total_nitrogen  # lakes: classed on its own, not in the class
        lines.append(
            {
                "param": param,
                "value": round(value, param.decimals),
                "item": item,
                "target_limit": (
                    limits[target - 1] if limits and target and param.sense != "range" else None
                ),
                "odour": odour.get(param.code),
                "reported_only": param.sense is not None and not param.assessed_for(water_type),
            }
        )
    history = sample.history.select_related("history_user").order_by("-history_date")[:20]
    return render(
        request,
        "monitoring/sample_detail.html",
        {
            "sample": sample,
            "river": river,
            "assessment": assessment,
            "lines": lines,
            "odour": sample.odour(),
            "review_flags": sample.review_flags(),
            "history": history,
            "shallow": standards.CONVENTION_SHALLOW_WATER,
            "boundaries": standards.CONVENTION_ODOUR_BOUNDARIES,
        },
    )


# --- lab-file import --------------------------------------------------------------------------


def _require_recorder(user):
    if not services.can_record_samples(user):
        raise PermissionDenied(_("只有河长办工作人员可以导入化验单"))


@login_required
def import_list(request):
    _require_recorder(request.user)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = services.start_import(upload=form.cleaned_data["file"], by=request.user)
        except ValidationError as exc:
            for message in exc.message_dict.get("file", exc.messages):
                form.add_error("file", message)
        else:
            return redirect("monitoring:import-detail", pk=job.pk)
    jobs = Paginator(selectors.imports_for(user=request.user), 20).get_page(request.GET.get("page"))
    return render(request, "monitoring/import_list.html", {"form": form, "page": jobs})


def _job(request, pk):
    _require_recorder(request.user)
    return get_object_or_404(selectors.imports_for(user=request.user), pk=pk)


@login_required
def import_detail(request, pk: int):
    job = _job(request, pk)
    if job.is_stalled or job.status == ImportJob.Status.FAILED:
        # The next look tells the truth: committed rows finish the job (monitoring.import_jobs).
        import_jobs.reconcile_import(job_id=job.pk)
        job.refresh_from_db()
    template = "monitoring/_import_status.html" if request.htmx else "monitoring/import_detail.html"
    names = {p.code: p for p in standards.PARAMETERS.values()}
    columns = [names[c] for c in job.preview.get("value_columns", [])]
    return render(
        request,
        template,
        {
            "job": job,
            "columns": columns,
            "do_rule_text": standards.do_rule_text(job.preview.get("do_rule")),
        },
    )


@require_POST
@login_required
def import_confirm(request, pk: int):
    job = _job(request, pk)
    try:
        services.confirm_import(job=job, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已开始导入"))
    return redirect("monitoring:import-detail", pk=job.pk)


@login_required
def import_template(request):
    response = HttpResponse(exports.lab_template_xlsx(), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="lab-template.xlsx"'
    return response

"""Pages: thin callers of the selectors and services."""

from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.models import Region
from core.scoping import can_manage_registry, require_office, visible_regions
from patrols import authenticity, exports, selectors, services
from patrols.filters import FindingFilter, PatrolFilter
from patrols.forms import DutyRuleForm, FindingForm, PolicyForm, RecordPatrolForm, ReviewForm
from patrols.models import AuthenticityPolicy, DutyRule, Finding, FindingPhoto, Patrol
from patrols.periods import parse_month
from patrols.selectors.stats import GROUPS
from rivers.models import Chief, Reach, River

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- patrols ------------------------------------------------------------------------------------


@login_required
def patrol_list(request):
    """All visible patrols (office), one's own village's (chiefs); ``?river=`` for one river."""
    qs = selectors.patrols_for(user=request.user)
    filterset = PatrolFilter(request.GET or None, queryset=qs, user=request.user)
    page = Paginator(filterset.qs, 30).get_page(request.GET.get("page"))
    river = None
    if filterset.is_bound and filterset.is_valid():
        river = filterset.form.cleaned_data.get("river")
    return render(
        request,
        "patrols/patrol_list.html",
        {
            "filter": filterset,
            "page": page,
            "river": river,
            "is_chief": hasattr(request.user, "chief"),
            "labels": authenticity.LABELS,
        },
    )


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
        selectors.patrols_for(user=request.user).prefetch_related(
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
    thresholds = authenticity.Thresholds.of(AuthenticityPolicy.current())
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
            "review_form": ReviewForm(initial={"decision": patrol.review}),
            "can_review": can_manage_registry(request.user),
            "can_edit": _can_edit(patrol, request.user),
            "finding_form": FindingForm(),
        },
    )


def _can_edit(patrol: Patrol, user) -> bool:
    try:
        services.patrols.require_can_edit(patrol, user)
    except PermissionDenied:
        return False
    return True


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
    rivers = list(River.objects.assigned_to(user).order_by("code"))
    reaches = list(
        Reach.objects.filter(river__in=rivers, assignments__chief__user=user)
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
        {"rivers": rivers, "reaches": reaches, "config": config},
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
            _add_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("巡河记录已保存"))
            return redirect("patrols:patrol-detail", pk=patrol.pk)
    return render(request, "patrols/patrol_record.html", {"form": form})


# --- findings -----------------------------------------------------------------------------------


@login_required
def finding_list(request):
    qs = selectors.findings_for(user=request.user)
    filterset = FindingFilter(request.GET or None, queryset=qs, user=request.user)
    page = Paginator(filterset.qs, 30).get_page(request.GET.get("page"))
    return render(request, "patrols/finding_list.html", {"filter": filterset, "page": page})


@login_required
def finding_detail(request, pk: int):
    finding = get_object_or_404(
        selectors.findings_for(user=request.user).prefetch_related("photos"), pk=pk
    )
    history = finding.history.select_related("history_user").order_by("-history_date")[:50]
    return render(
        request,
        "patrols/finding_detail.html",
        {
            "finding": finding,
            "history": history,
            "can_manage": can_manage_registry(request.user),
            "can_edit": finding.patrol is None or _can_edit(finding.patrol, request.user),
        },
    )


@require_POST
@login_required
def finding_add(request, pk: int):
    """Add a finding to a patrol from its page (after the fact)."""
    patrol = get_object_or_404(Patrol.objects.visible_to(request.user), pk=pk)
    form = FindingForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.report_finding(
                by=request.user,
                patrol=patrol,
                river=patrol.river,
                reach=patrol.reach,
                category=form.cleaned_data["category"],
                note=form.cleaned_data["note"],
                found_at=patrol.started_at,
                photos=request.FILES.getlist("photos"),
            )
            messages.success(request, _("问题已记录"))
        except (ValidationError, PermissionDenied) as exc:
            for msg in getattr(exc, "messages", [str(exc)]):
                messages.error(request, msg)
    else:
        for errors in form.errors.values():
            for msg in errors:
                messages.error(request, msg)
    return redirect("patrols:patrol-detail", pk=pk)


@require_POST
@login_required
def finding_photo(request, pk: int):
    finding = get_object_or_404(Finding.objects.visible_to(request.user), pk=pk)
    upload = request.FILES.get("photo")
    if upload is None:
        messages.error(request, _("请选择照片"))
    else:
        try:
            services.add_finding_photo(finding=finding, by=request.user, upload=upload)
            messages.success(request, _("照片已上传"))
        except (ValidationError, PermissionDenied) as exc:
            for msg in getattr(exc, "messages", [str(exc)]):
                messages.error(request, msg)
    return redirect("patrols:finding-detail", pk=pk)


@require_POST
@login_required
def finding_dismiss(request, pk: int):
    finding = get_object_or_404(Finding.objects.visible_to(request.user), pk=pk)
    try:
        services.dismiss_finding(
            finding=finding, by=request.user, reason=request.POST.get("reason", "")
        )
        messages.success(request, _("已标为不予处理"))
    except ValidationError as exc:
        for msg in exc.messages:
            messages.error(request, msg)
    return redirect("patrols:finding-detail", pk=pk)


# --- duty ---------------------------------------------------------------------------------------


def _duty_rows(request) -> tuple[date, list[tuple], dict]:
    month = parse_month(request.GET.get("month"), default=timezone.localdate())
    chiefs = Chief.objects.visible_to(request.user).active().select_related("user", "region")
    if request.user.is_village_chief:
        # Rankings are for the office's eyes (the 2023 rule against "fingertip formalism").
        chiefs = chiefs.filter(user=request.user)
    level = request.GET.get("level") or ""
    if level:
        chiefs = chiefs.filter(level=level)
    region = request.GET.get("region") or ""
    if region.isdigit():
        chiefs = chiefs.filter(region_id=int(region))
    chiefs = list(chiefs.order_by("level", "region__code", "user__username"))
    duties = selectors.duty_for(chiefs=chiefs, month=month)
    rows = [(c, duties[c.pk]) for c in chiefs]
    if request.GET.get("behind"):
        rows = [r for r in rows if r[1].behind]
    return month, rows, {"level": level, "region": region, "behind": request.GET.get("behind")}


@login_required
def duty(request):
    month, rows, chosen = _duty_rows(request)
    previous = (month - timedelta(days=1)).replace(day=1)
    following = (month + timedelta(days=31)).replace(day=1)
    return render(
        request,
        "patrols/duty.html",
        {
            "month": month,
            "previous": previous,
            "following": following,
            "rows": rows,
            "chosen": chosen,
            "behind_count": sum(1 for _c, d in rows if d.behind),
            "regions": visible_regions(request.user).exclude(kind=Region.Kind.DISTRICT),
            "rules": DutyRule.objects.filter(is_active=True).select_related("river"),
            "levels": Chief._meta.get_field("level").choices,
        },
    )


@login_required
def duty_export(request):
    month, rows, _chosen = _duty_rows(request)
    return _xlsx(exports.duty_workbook(month=month, rows=rows), f"duty-{month:%Y-%m}.xlsx")


@login_required
def rules(request):
    """Duty rules and authenticity thresholds, as everyone can read them; the office edits."""
    policy = AuthenticityPolicy.current()
    return render(
        request,
        "patrols/rules.html",
        {
            "rules": DutyRule.objects.select_related("river").order_by("level", "pk"),
            "policy": policy,
            "descriptions": authenticity.describe(authenticity.Thresholds.of(policy)),
            "labels": authenticity.LABELS,
            "can_edit": can_manage_registry(request.user),
        },
    )


@login_required
def rule_edit(request, pk: int | None = None):
    require_office(request.user)
    rule = get_object_or_404(DutyRule, pk=pk) if pk else DutyRule()
    form = DutyRuleForm(request.POST or None, instance=rule, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_duty_rule(rule=form.instance, by=request.user)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("巡河频次规则已保存"))
            return redirect("patrols:rules")
    return render(request, "patrols/rule_form.html", {"form": form, "rule": rule})


@login_required
def policy_edit(request):
    require_office(request.user)
    form = PolicyForm(request.POST or None, instance=AuthenticityPolicy.current())
    if request.method == "POST" and form.is_valid():
        try:
            services.save_policy(policy=form.instance, by=request.user)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("真实性核查标准已保存"))
            return redirect("patrols:rules")
    return render(request, "patrols/policy_form.html", {"form": form})


# --- statistics ---------------------------------------------------------------------------------


def _stats(request):
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    group = request.GET.get("group") if request.GET.get("group") in GROUPS else "level"
    level = request.GET.get("level") or None
    region = request.GET.get("region") or ""
    return selectors.patrol_stats(
        user=request.user,
        year=year,
        group=group,
        level=level,
        region_id=int(region) if region.isdigit() else None,
    )


GROUP_LABELS = {
    "chief": _("河长"),
    "village": _("村/镇"),
    "level": _("级别"),
    "month": _("月份"),
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
    return _xlsx(content, f"patrols-{result.year}-{result.group}.xlsx")

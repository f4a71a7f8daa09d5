"""Pages of the problems found on patrols."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.paginator import IdsFirstPaginator
from core.scoping import can_manage_registry
from patrols import selectors, services
from patrols.filters import FindingFilter
from patrols.forms import FindingForm
from patrols.models import Finding, Patrol
from patrols.views.common import can_edit_patrol


@login_required
def finding_list(request):
    qs = selectors.findings_for(user=request.user)
    filterset = FindingFilter(request.GET or None, queryset=qs, user=request.user)
    page = IdsFirstPaginator(filterset.qs, 30).get_page(request.GET.get("page"))
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
            "can_edit": finding.patrol is None or can_edit_patrol(finding.patrol, request.user),
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

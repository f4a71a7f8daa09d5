"""HTML pages for inspection rounds and their work orders."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.scoping import can_manage_registry, require_office
from directives import forms, selectors, services
from directives.models import InspectionRound, Source, WorkOrder
from directives.views.common import add_form_errors


@login_required
def round_list(request):
    rounds = selectors.inspection_rounds_for(user=request.user)
    page = Paginator(rounds, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "directives/round_list.html",
        {"page": page, "can_edit": can_manage_registry(request.user)},
    )


@login_required
def round_create(request):
    require_office(request.user)
    form = forms.InspectionRoundForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            inspection = services.create_inspection_round(
                by=request.user, town=request.user.region, **form.cleaned_data
            )
        except ValidationError as exc:
            add_form_errors(form, exc)
        else:
            return redirect("directives:round-detail", pk=inspection.pk)
    return render(
        request, "directives/round_form.html", {"form": form}, status=400 if form.errors else 200
    )


def _round_context(request, inspection: InspectionRound, **bound) -> dict:
    work_orders = selectors.work_orders_for(user=request.user).filter(inspection_round=inspection)
    return {
        "round": inspection,
        "work_orders": work_orders,
        "can_edit": can_manage_registry(request.user),
        "work_order_form": bound.get("work_order")
        or forms.WorkOrderForm(inspection_round=inspection),
        "reply_form": bound.get("reply") or forms.ReplyForm(),
        "reply_for": bound.get("reply_for"),
        "today": timezone.localdate(),
        "inspection_source": Source.INSPECTION,
    }


@login_required
def round_detail(request, pk: int):
    inspection = get_object_or_404(selectors.inspection_rounds_for(user=request.user), pk=pk)
    return render(request, "directives/round_detail.html", _round_context(request, inspection))


@require_POST
@login_required
def work_order_create(request, pk: int):
    inspection = get_object_or_404(selectors.inspection_rounds_for(user=request.user), pk=pk)
    form = forms.WorkOrderForm(request.POST, inspection_round=inspection)
    if form.is_valid():
        try:
            services.create_work_order(
                by=request.user, inspection_round=inspection, **form.cleaned_data
            )
        except ValidationError as exc:
            add_form_errors(form, exc)
        else:
            return redirect("directives:round-detail", pk=pk)
    return render(
        request,
        "directives/round_detail.html",
        _round_context(request, inspection, work_order=form),
        status=400,
    )


@require_POST
@login_required
def work_order_reply(request, pk: int):
    work_order = get_object_or_404(WorkOrder.objects.visible_to(request.user), pk=pk)
    form = forms.ReplyForm(request.POST)
    if form.is_valid():
        try:
            services.reply_to_work_order(
                work_order=work_order, by=request.user, text=form.cleaned_data["text"]
            )
        except ValidationError as exc:
            add_form_errors(form, exc)
        else:
            messages.success(request, _("已答复工作指令 %(n)s") % {"n": work_order.number})
            return redirect("directives:round-detail", pk=work_order.inspection_round_id)
    if not can_manage_registry(request.user):
        raise PermissionDenied
    return render(
        request,
        "directives/round_detail.html",
        _round_context(request, work_order.inspection_round, reply=form, reply_for=work_order.pk),
        status=400,
    )

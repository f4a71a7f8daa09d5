"""Thin views: the office's progress per village, a village chief's bodies on the phone."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from core.models import Region
from core.params import query_id
from core.scoping import visible_regions
from plans import services as plan_services
from plans.forms import MeasureProgressForm
from smallwater import selectors, services
from smallwater.forms import InspectionForm, PhotoForm


@login_required
def body_list(request):
    village = None
    if query_id(request.GET, "village") is not None:
        village = get_object_or_404(
            visible_regions(request.user).filter(kind=Region.Kind.VILLAGE),
            pk=query_id(request.GET, "village"),
        )
    elif request.user.region and request.user.region.kind == Region.Kind.VILLAGE:
        village = request.user.region
    progress = selectors.progress_by_village(user=request.user) if village is None else None
    bodies = selectors.water_bodies_for(user=request.user, village=village) if village else None
    page = Paginator(bodies, 50).get_page(request.GET.get("page")) if bodies is not None else None
    return render(
        request,
        "smallwater/body_list.html",
        {"village": village, "progress": progress, "page": page},
    )


@login_required
def body_detail(request, pk: int):
    body = get_object_or_404(selectors.water_bodies_for(user=request.user), pk=pk)
    can_update = services.can_update(request.user, body)
    care = getattr(body, "care", None)
    inspection = InspectionForm(
        initial=(
            {
                "classification": care.classification,
                "inspected_on": care.inspected_on,
                "note": care.inspection_note,
            }
            if care and care.classification
            else None
        )
    )
    photo_form = PhotoForm()
    if request.method == "POST":
        if not can_update:
            raise PermissionDenied(_("只有本村河长或镇河长办可以更新该小微水体"))
        try:
            if request.POST.get("action") == "inspection":
                inspection = InspectionForm(request.POST)
                if inspection.is_valid():
                    services.record_inspection(
                        water_body=body,
                        by=request.user,
                        classification=inspection.cleaned_data["classification"],
                        inspected_on=inspection.cleaned_data["inspected_on"],
                        note=inspection.cleaned_data["note"],
                    )
                    messages.success(request, _("排查结果已保存"))
                    return redirect("smallwater:body-detail", pk=body.pk)
            elif request.POST.get("action") == "photo":
                photo_form = PhotoForm(request.POST, request.FILES)
                if photo_form.is_valid():
                    services.add_photo(
                        water_body=body,
                        by=request.user,
                        upload=photo_form.cleaned_data["photo"],
                        caption=photo_form.cleaned_data["caption"],
                    )
                    messages.success(request, _("照片已上传"))
                    return redirect("smallwater:body-detail", pk=body.pk)
        except ValidationError as exc:
            form = inspection if request.POST.get("action") == "inspection" else photo_form
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
    return render(
        request,
        "smallwater/body_detail.html",
        {
            "body": body,
            "care": care,
            "policy": getattr(body, "policy", None),
            "photos": body.photos.all()[:12],
            "can_update": can_update,
            "updatable": {
                m.pk
                for m in (body.policy.measures.all() if hasattr(body, "policy") else [])
                if plan_services.can_update_measure(user=request.user, measure=m)
            },
            "inspection": inspection,
            "photo_form": photo_form,
        },
    )


@login_required
def measure_progress(request, pk: int, measure_pk: int):
    """A body's measure, updated from its page with the plans' own form and rules."""
    body = get_object_or_404(selectors.water_bodies_for(user=request.user), pk=pk)
    policy = getattr(body, "policy", None)
    if policy is None:
        raise Http404
    measure = get_object_or_404(policy.measures.all(), pk=measure_pk)
    if not plan_services.can_update_measure(user=request.user, measure=measure):
        raise PermissionDenied(_("只有责任河长或河长办可以更新该措施"))
    form = MeasureProgressForm(
        request.POST or None, initial={"progress": measure.progress, "status": measure.status}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_measure_progress(
                measure=measure,
                by=request.user,
                progress=form.cleaned_data["progress"],
                note=form.cleaned_data["note"],
                status=form.cleaned_data["status"] or None,
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("进度已更新"))
            return redirect("smallwater:body-detail", pk=body.pk)
    return render(
        request,
        "smallwater/measure_progress.html",
        {"body": body, "measure": measure, "form": form},
    )

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from plans import selectors, services
from plans.forms import MeasureProgressForm
from plans.models import Measure, Plan


@login_required
def programme_list(request):
    programmes = list(selectors.programmes_for(user=request.user))
    selected = None
    if request.GET.get("programme"):
        selected = next((p for p in programmes if str(p.pk) == request.GET["programme"]), None)
        if selected is None:
            raise Http404
    elif programmes:
        selected = programmes[0]
    progress = (
        selectors.programme_progress(user=request.user, programme=selected) if selected else None
    )
    return render(
        request,
        "plans/programme_list.html",
        {
            "programmes": programmes,
            "selected": selected,
            "progress": progress,
            "view": request.GET.get("view", "river"),
            "my_measures": selectors.measures_owned_by(user=request.user)[:50],
            "letters": (
                selectors.responsibility_letters_for(user=request.user, programme=selected)
                if selected and request.GET.get("view") == "letters"
                else None
            ),
            "today": timezone.localdate(),
        },
    )


@login_required
def plan_detail(request, pk: int):
    try:
        plan = selectors.plan_detail(user=request.user, pk=pk)
    except Plan.DoesNotExist:
        raise Http404 from None
    return render(
        request,
        "plans/plan_detail.html",
        {"plan": plan, "today": timezone.localdate(), "office": request.user.is_office},
    )


@login_required
def measure_update(request, pk: int):
    measure = get_object_or_404(
        selectors.measures_for(user=request.user).select_related("plan__region"), pk=pk
    )
    if not services.can_update_measure(user=request.user, measure=measure):
        raise PermissionDenied(_("只有责任河长或河长办可以更新该措施"))
    form = MeasureProgressForm(
        request.POST or None, initial={"progress": measure.progress, "status": measure.status}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_progress(
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
            return redirect("plans:plan-detail", pk=measure.plan_id)
    return render(
        request,
        "plans/measure_update.html",
        {
            "measure": measure,
            "form": form,
            "timeline": selectors.measure_timeline(measure=measure),
            "today": timezone.localdate(),
            "Status": Measure.Status,
        },
    )

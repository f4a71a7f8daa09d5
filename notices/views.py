from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.scoping import require_office
from notices import selectors, services
from notices.selectors import STATES


@login_required
def inbox(request):
    page = Paginator(selectors.inbox_for(user=request.user), 30).get_page(request.GET.get("page"))
    return render(request, "notices/inbox.html", {"page": page})


@require_POST
@login_required
def mark_read(request, pk: int | None = None):
    services.mark_read(user=request.user, notification_id=pk)
    target = request.POST.get("next") or "notices:inbox"
    if target.startswith("/") and not target.startswith("//"):
        return redirect(target)
    return redirect("notices:inbox")


@login_required
def alert_deliveries(request):
    """The office's view of what the deadline alerts did not get out (by state), to resend."""
    require_office(request.user)
    deliveries = selectors.alert_deliveries_for(user=request.user)
    state = request.GET.get("state") or "unknown"
    if state not in STATES:
        state = "unknown"
    rows = (
        selectors.in_state(deliveries, state)
        .select_related("notification__recipient", "resent_by")
        .order_by("-notification__created_at", "pk")
    )
    return render(
        request,
        "notices/alert_deliveries.html",
        {
            "counts": selectors.count_by_state(deliveries),
            "resendable": selectors.resendable(deliveries).count(),
            "state": state,
            "page": Paginator(rows, 50).get_page(request.GET.get("page")),
        },
    )


@require_POST
@login_required
def alert_deliveries_resend(request):
    """Resend the chosen (or all) pending and unknown alert deliveries, once each."""
    deliveries = selectors.resendable(selectors.alert_deliveries_for(user=request.user))
    ids = [int(x) for x in request.POST.getlist("delivery") if x.isdigit()]
    if ids:
        deliveries = deliveries.filter(pk__in=ids)
    try:
        n = services.resend(deliveries=deliveries, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已重新发送 %(n)s 条消息") % {"n": n})
    return redirect("notices:alert-deliveries")

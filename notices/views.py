from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from notices import selectors, services


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

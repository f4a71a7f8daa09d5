"""The office's dashboard (office staff and the inspector)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from overview import selectors
from overview.permissions import sees_overview


@login_required
def dashboard(request):
    if not sees_overview(request.user):
        raise PermissionDenied
    return render(
        request,
        "overview/dashboard.html",
        {
            "summary": selectors.home_summary(user=request.user),
            "work": selectors.work_summary(user=request.user),
        },
    )

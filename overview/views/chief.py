"""The chief's home page (town and village chiefs): the seam where the chief's own home lives."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from overview import selectors


@login_required
def chief_home(request):
    return render(
        request,
        "overview/chief_home.html",
        {
            "summary": selectors.home_summary(user=request.user),
            "work": selectors.work_summary(user=request.user),
        },
    )

"""The chief's home page (town and village chiefs): their daily work first (issue 10 item 4)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from overview.chief_selectors import chief_home as chief_home_data


@login_required
def chief_home(request):
    return render(request, "overview/chief_home.html", {"home": chief_home_data(user=request.user)})

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render

from core import selectors


@login_required
def home(request):
    return render(
        request,
        "core/home.html",
        {
            "summary": selectors.home_summary(user=request.user),
            "work": selectors.work_summary(user=request.user),
        },
    )


def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})

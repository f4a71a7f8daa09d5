import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from core import lockout, pwa, services
from core.scoping import require_office


def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@require_safe
def web_manifest(request):
    """The installable app's manifest, in the user's language."""
    data = pwa.manifest(name=_("河长制办公系统"), short_name=_("河长制"), start_label=_("开始巡河"))
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    return response


@require_safe
def service_worker(request):
    """The service worker, served from the site root so that its scope is the whole site."""
    response = render(
        request,
        "core/sw.js",
        {
            "config": json.dumps(
                {
                    "version": pwa.version(),
                    "pages": pwa.offline_pages(),
                    "static": pwa.offline_static(),
                    "logout": reverse("logout"),
                }
            )
        },
        content_type="text/javascript; charset=utf-8",
    )
    response["Service-Worker-Allowed"] = "/"
    # Browsers check for a new worker on navigation; never let a cache stand in the way.
    patch_cache_control(response, no_cache=True, max_age=0)
    return response


@require_safe
def favicon(request):
    return redirect(static("icons/icon.svg"), permanent=True)


@login_required
def locked_logins(request):
    """The office's list of locked logins of its own users, with an unlock button each."""
    require_office(request.user)
    if request.method == "POST":
        services.unlock_login(username=request.POST.get("username", ""), by=request.user)
        messages.success(request, _("已解锁"))
        return redirect("locked-logins")
    return render(
        request,
        "core/locked_logins.html",
        {"attempts": lockout.locked_logins_for(user=request.user)},
    )

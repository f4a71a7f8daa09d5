"""Thin views: the office's register of monitoring sites, its Excel import and export, and the
GeoJSON the maps read."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from core.scoping import can_manage_registry, require_office
from smartwater import selectors, services
from smartwater.forms import ImportForm, SiteForm
from smartwater.models import Site


@login_required
def site_list(request):
    status = request.GET.get("status", "")
    kind = request.GET.get("kind", "")
    status = status if status in Site.Status.values else ""
    sites = selectors.sites_for(user=request.user, status=status, kind=kind)
    page = Paginator(sites, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "smartwater/site_list.html",
        {
            "page": page,
            "status": status,
            "kind": kind,
            "Status": Site.Status,
            "totals": selectors.sites_planned_now(user=request.user),
            "can_edit": can_manage_registry(request.user),
            "import_form": ImportForm(),
        },
    )


@login_required
def site_export(request):
    sites = selectors.sites_for(user=request.user)
    response = HttpResponse(
        services.export_sites(sites=sites),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="monitoring-sites-{timezone.localdate():%Y%m%d}.xlsx"'
    )
    return response


@login_required
def site_import(request):
    require_office(request.user)
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            result = services.import_sites(upload=form.cleaned_data["file"], by=request.user)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            if not result.errors:
                messages.success(
                    request,
                    _("已导入：新增 %(c)s 个，更新 %(u)s 个")
                    % {"c": result.created, "u": result.updated},
                )
                return redirect("smartwater:site-list")
    return render(
        request,
        "smartwater/site_import.html",
        {"form": form, "result": result},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def site_edit(request, pk: int):
    require_office(request.user)
    site = get_object_or_404(selectors.sites_for(user=request.user), pk=pk)
    form = SiteForm(
        request.POST or None,
        initial={
            "status": site.status,
            "latitude": site.latitude,
            "longitude": site.longitude,
            "parameters": site.parameters,
            "notes": site.notes,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_site(site=site, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("已保存"))
            return redirect("smartwater:site-list")
    return render(request, "smartwater/site_edit.html", {"site": site, "form": form})


@login_required
def sites_geojson(request):
    status = request.GET.get("status", "")
    return JsonResponse(
        selectors.sites_geojson(
            user=request.user,
            status=status if status in Site.Status.values else "",
            kind=request.GET.get("kind", ""),
        ),
        content_type="application/geo+json",
    )

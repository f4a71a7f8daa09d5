"""The annual work report (年度工作总结): HTML with the office's paragraphs, PDF and Excel."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from core.scoping import can_manage_registry
from overview import exports
from overview.models import ReportNarrative
from overview.permissions import sees_overview
from overview.scoping import pick_town, town_viewer, towns_for
from overview.selectors.report import annual_report
from overview.services.narrative import NARRATIVE_SECTIONS, save_narrative

FIRST_YEAR = 2018


def _year(request) -> int:
    this_year = timezone.localdate().year
    value = request.GET.get("year") or request.POST.get("year") or ""
    if not value.isdigit() or not FIRST_YEAR <= int(value) <= this_year:
        return this_year - 1
    return int(value)


def _context(request) -> dict:
    if not sees_overview(request.user):
        raise PermissionDenied
    town = pick_town(request.user, request.GET.get("town") or request.POST.get("town"))
    year = _year(request)
    report = annual_report(viewer=town_viewer(request.user, town), town=town, year=year)
    narratives = dict.fromkeys(NARRATIVE_SECTIONS, "")
    narratives.update(
        ReportNarrative.objects.filter(town=town, year=year).values_list("section", "text")
    )
    return {
        "town": town,
        "towns": towns_for(request.user),
        "year": year,
        "years": list(range(timezone.localdate().year, FIRST_YEAR - 1, -1)),
        "report": report,
        "narratives": narratives,
        "can_edit": can_manage_registry(request.user) and request.user.region_id == town.pk,
    }


@login_required
def report(request):
    context = _context(request)
    if request.method == "POST":
        if not context["can_edit"]:
            raise PermissionDenied
        try:
            save_narrative(
                user=request.user,
                town=context["town"],
                year=context["year"],
                section=request.POST.get("section", ""),
                text=request.POST.get("text", ""),
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("已保存"))
        return redirect(
            f"{request.path}?town={context['town'].code}&year={context['year']}"
            f"#section-{request.POST.get('section', '')}"
        )
    return render(request, "overview/report.html", context)


@login_required
def report_pdf(request):
    context = _context(request)
    response = HttpResponse(exports.report_pdf(context=context), content_type="application/pdf")
    name = f"report-{context['town'].code}-{context['year']}.pdf"
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


@login_required
def report_xlsx(request):
    context = _context(request)
    content = exports.report_workbook(report=context["report"], narratives=context["narratives"])
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = f"report-{context['town'].code}-{context['year']}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response

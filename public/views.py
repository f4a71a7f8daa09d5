"""Thin views: the public pages (no login), the office's queue, articles and printing."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.media import file_response
from core.models import Region
from core.params import query_id
from core.scoping import can_manage_registry, require_office, visible_regions
from public import prints, selectors, services
from public.forms import (
    ArticleForm,
    CloseForm,
    OfficeContactForm,
    ReceiptLookupForm,
    ReportForm,
    ToOrderForm,
)
from public.models import Article, Report, SignboardPrint
from public.pdf import qr_svg, signboard_url
from rivers.models import River


def client_address(request) -> str:
    """The address the rate limit counts. REMOTE_ADDR: behind a proxy, the proxy must set it
    from X-Forwarded-For (gunicorn --forwarded-allow-ips), never the app from a header."""
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _add_errors(form, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


# --- public pages (no login) ------------------------------------------------------------------


def _public_river(code: str) -> River:
    return get_object_or_404(River.objects.select_related("region"), code=code, is_active=True)


def signboard(request, code: str):
    river = _public_river(code)
    board = selectors.signboard(river=river)
    return render(
        request,
        "public/signboard.html",
        {
            "b": board,
            "river": river,
            "url": request.build_absolute_uri(reverse("public:signboard", args=[river.code])),
        },
    )


def signboard_qr(request, code: str):
    river = _public_river(code)
    return HttpResponse(qr_svg(signboard_url(river)), content_type="image/svg+xml")


def report_new(request, code: str):
    river = _public_river(code)
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            report = services.submit_report(
                river=river,
                category=data["category"],
                text=data["text"],
                address=client_address(request),
                photos=request.FILES.getlist("photos"),
                latitude=data["latitude"],
                longitude=data["longitude"],
                location=data["location"],
                contact_name=data["contact_name"],
                contact_phone=data["contact_phone"],
                honeypot=data["website"],
            )
        except services.RateLimited as exc:
            form.add_error(None, str(exc))
            return render(
                request, "public/report_form.html", {"form": form, "river": river}, status=429
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            return redirect("public:receipt", receipt=report.receipt)
    return render(
        request,
        "public/report_form.html",
        {"form": form, "river": river},
        status=400 if request.method == "POST" else 200,
    )


def receipt(request, receipt: str):
    progress = selectors.report_progress(receipt=receipt)
    if progress is None:
        raise Http404
    return render(request, "public/receipt.html", {"p": progress, "fresh": True})


def status_lookup(request):
    form = ReceiptLookupForm(request.GET or None)
    if form.is_valid():
        progress = selectors.report_progress(receipt=form.cleaned_data["receipt"])
        if progress is not None:
            return redirect("public:status", receipt=progress.receipt)
        form.add_error("receipt", _("找不到该回执编号"))
    return render(request, "public/status_lookup.html", {"form": form})


def status(request, receipt: str):
    progress = selectors.report_progress(receipt=receipt)
    if progress is None:
        raise Http404
    return render(request, "public/receipt.html", {"p": progress, "fresh": False})


def article_list(request):
    page = Paginator(selectors.public_articles(), 20).get_page(request.GET.get("page"))
    return render(request, "public/article_list.html", {"page": page})


def article_detail(request, pk: int):
    article = get_object_or_404(selectors.public_articles(), pk=pk)
    return render(request, "public/article_detail.html", {"article": article})


# --- the office -------------------------------------------------------------------------------


@login_required
def report_queue(request):
    status = request.GET.get("status", "received")
    if status not in Report.Status.values and status != "all":
        status = "received"
    reports = selectors.reports_for(user=request.user, status="" if status == "all" else status)
    page = Paginator(reports, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "public/report_queue.html",
        {"page": page, "status": status, "Status": Report.Status},
    )


@login_required
def report_detail(request, pk: int):
    report = get_object_or_404(selectors.reports_for(user=request.user), pk=pk)
    order_form = ToOrderForm(town=report.town, initial=_order_initial(report))
    close_form = CloseForm()
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "order":
                order_form = ToOrderForm(request.POST, town=report.town)
                if order_form.is_valid():
                    report = services.turn_into_order(
                        report=report, by=request.user, **order_form.cleaned_data
                    )
                    messages.success(
                        request,
                        _("已转为督办单 %(n)s") % {"n": report.directive.number},
                    )
                    return redirect("public:report-detail", pk=report.pk)
            elif action == "close":
                close_form = CloseForm(request.POST)
                if close_form.is_valid():
                    services.close_report(
                        report=report, by=request.user, reason=close_form.cleaned_data["reason"]
                    )
                    messages.success(request, _("举报已办结"))
                    return redirect("public:report-queue")
        except ValidationError as exc:
            _add_errors(order_form if action == "order" else close_form, exc)
    return render(
        request,
        "public/report_detail.html",
        {
            "report": report,
            "order_form": order_form,
            "close_form": close_form,
            "can_act": report.status == Report.Status.RECEIVED
            and can_manage_registry(request.user),
        },
    )


def _order_initial(report: Report) -> dict:
    village = next(
        (
            r
            for r in report.river.regions.all()
            if r.kind == Region.Kind.VILLAGE and r.code.startswith(report.town.code)
        ),
        None,
    )
    return {"target_village": village}


def _village(request, data) -> Region | None:
    """The village a print asks for, among the caller's own (another town's: 404)."""
    pk = query_id(data, "village")
    if pk is None:
        return None
    return get_object_or_404(visible_regions(request.user).filter(kind=Region.Kind.VILLAGE), pk=pk)


@login_required
def signboards_pdf(request):
    """The old printing URL: printing is now queued, from the office page (same village)."""
    require_office(request.user)
    village = _village(request, request.GET)
    url = reverse("public:office")
    return redirect(f"{url}?village={village.pk}#signboards" if village else f"{url}#signboards")


@require_POST
@login_required
def signboards_request(request):
    """Only queues the print (the worker renders it) and lands on its page, which polls."""
    require_office(request.user)
    try:
        job = prints.request_signboard_print(
            by=request.user, village=_village(request, request.POST)
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("public:office")
    return redirect("public:signboards-print", pk=job.pk)


def _print(request, pk: int) -> SignboardPrint:
    require_office(request.user)
    return get_object_or_404(selectors.signboard_prints_for(user=request.user), pk=pk)


@login_required
def signboards_print(request, pk: int):
    """The print's page; htmx polls its status box until the file is ready."""
    job = _print(request, pk)
    if job.is_stalled():
        # The next look tells the truth: a print whose worker died says so (public.prints).
        prints.fail_stalled(print_id=job.pk)
        job = _print(request, pk)
    template = "public/_signboards_status.html" if request.htmx else "public/signboards_print.html"
    return render(request, template, {"job": job})


@login_required
def signboards_download(request, pk: int):
    job = _print(request, pk)
    if job.status != SignboardPrint.Status.DONE:
        raise Http404
    response = file_response(job.file.name)
    scope = job.village or job.region
    response["Content-Disposition"] = (
        f'inline; filename="signboards-{scope.code if scope else "all"}-{job.pk}.pdf"'
    )
    return response


@login_required
def office_home(request):
    """The office's page for the public's part: signboards to print, contact, articles."""
    require_office(request.user)
    town = request.user.region
    if town is not None and town.kind != Region.Kind.TOWN:
        town = None
    contact_phone, contact_address = selectors.office_contact(town)
    form = OfficeContactForm(
        request.POST or None, initial={"phone": contact_phone, "address": contact_address}
    )
    if request.method == "POST" and form.is_valid():
        # Errors are added after validation: before it the form has no cleaned_data yet.
        if town is None:  # a superuser or the district's staff: no town to set it for
            form.add_error(None, _("只有镇河长办可以设置监督电话"))
        else:
            try:
                services.set_office_contact(town=town, by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("已保存"))
                return redirect("public:office")
    villages = visible_regions(request.user).filter(kind=Region.Kind.VILLAGE).order_by("code")
    return render(
        request,
        "public/office.html",
        {
            "form": form,
            "villages": villages,
            "articles": selectors.articles_for(user=request.user)[:50],
            "waiting": selectors.reports_for(user=request.user, status="received").count(),
            "prints": selectors.signboard_prints_for(user=request.user)[:10],
            "chosen_village": query_id(request.GET, "village"),
        },
    )


@login_required
def article_edit(request, pk: int | None = None):
    require_office(request.user)
    article = get_object_or_404(selectors.articles_for(user=request.user), pk=pk) if pk else None
    form = ArticleForm(request.POST or None, instance=article)
    if request.method == "POST" and form.is_valid():
        try:
            article = services.save_article(by=request.user, article=article, **form.cleaned_data)
            if request.POST.get("publish"):
                services.publish_article(article=article, by=request.user)
        except (ValidationError, PermissionDenied) as exc:
            if isinstance(exc, PermissionDenied):
                raise
            _add_errors(form, exc)
        else:
            messages.success(request, _("已保存"))
            return redirect("public:office")
    return render(request, "public/article_form.html", {"form": form, "article": article})


@login_required
@require_POST
def article_unpublish(request, pk: int):
    article = get_object_or_404(selectors.articles_for(user=request.user), pk=pk)
    services.unpublish_article(article=article, by=request.user)
    messages.success(request, _("已撤回"))
    return redirect("public:office")


__all__ = ["Article"]

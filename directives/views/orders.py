"""HTML pages for supervision orders: thin callers of the services and selectors."""

from html import escape

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.timesince import timesince
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.choices import labels
from core.links import url_of
from core.models import User
from core.params import page_number
from core.rows import display_name
from core.scoping import can_manage_registry, require_office, require_year
from directives import exports, forms, selectors, services
from directives.filters import DirectiveFilter
from directives.models import (
    AWAITING_TARGET,
    Directive,
    ExtensionRequest,
    Severity,
    Status,
)
from directives.services.access import is_office_for, is_target_of
from directives.services.workflow import allowed_actions
from directives.views.common import add_form_errors
from rivers.permissions import oversees_town


def _get_order(request, pk: int) -> Directive:
    try:
        return selectors.directive_detail(user=request.user, pk=pk)
    except Directive.DoesNotExist:
        raise Http404 from None


# --- boards -----------------------------------------------------------------------------------


@login_required
def order_board(request):
    """The office board by status, overdue first; chiefs are sent to their own list, except
    the town chiefs who oversee the town (第一总河长, 总河长), who read the town's board."""
    if (
        not can_manage_registry(request.user)
        and request.user.role in (User.Role.VILLAGE_CHIEF, User.Role.TOWN_CHIEF)
        and not oversees_town(request.user)
    ):
        return redirect("directives:my-orders")
    filters = DirectiveFilter(
        request.GET or None, queryset=Directive.objects.none(), request=request
    )
    columns, paging, summary = selectors.board_page(
        user=request.user, filters=request.GET, page=page_number(request.GET)
    )
    today = timezone.localdate()
    for column in columns:
        column["cards"] = _cards(column.pop("orders"), today)
    return render(
        request,
        "directives/board.html",
        {
            "columns": columns,
            "paging": paging,
            "summary": summary,
            "filter": filters,
            "can_issue": can_manage_registry(request.user),
        },
    )


def _cards(orders, today) -> list[str]:
    """Each card's markup, written once per card: a hundred cards through the template's
    tags (a URL reversed, two dates formatted, the same translations looked up, a dozen
    variables resolved and escaped a card) were most of the board's time. The same HTML as
    the template wrote, whitespace included; every text escaped as the template escapes it."""
    url = url_of("directives:order-detail")
    severity = labels(Severity)
    closed_word, deadline_word = escape(_("销号")), escape(_("期限"))
    late_by: dict = {}
    cards = []
    for d in orders:
        late = ""
        if d.late == 0:
            if d.deadline not in late_by:
                late_by[d.deadline] = escape(
                    _("已逾期 %(n)s") % {"n": timesince(d.deadline, today)}
                )
            late = late_by[d.deadline]
        chief = d.target_chief__user__username and display_name(
            d.target_chief__user__last_name,
            d.target_chief__user__first_name,
            d.target_chief__user__username,
        )
        target = " / ".join(p for p in (d.target_village__name, chief) if p)
        closed = d.status == Status.CLOSED
        if closed:
            on = timezone.localtime(d.closed_at).date().isoformat() if d.closed_at else ""
            when = f"<span>{closed_word} {on}</span>"
        else:
            when = f"<span>{deadline_word} {d.deadline.isoformat()}</span>"
        reach = f"·{escape(d.reach__name)}" if d.reach__name else ""
        level = "" if d.severity == Severity.NORMAL else severity[d.severity]
        cards.append(
            _CARD.format(
                css=" late" if late else " closed" if closed else "",
                url=url(d.pk),
                pk=int(d.pk),
                number=escape(d.number),
                title=escape(d.title),
                place=f"{escape(d.river__name)}{reach}",
                target=escape(target),
                late=f'<span class="tag bad">{late}</span>' if late else "",
                when=when,
                severity=f'<span class="tag warn">{escape(level)}</span>' if level else "",
            )
        )
    return cards


# One card as board.html wrote it (the loop's own indentation included), escaped by _cards.
_CARD = """
    <a class="order-card{css}" href="{url}" data-order="{pk}">
      <div class="no">{number}</div>
      <div class="ttl">{title}</div>
      <div class="meta"><span>{place}</span><span>{target}</span></div>
      <div class="meta">
        {late}
        {when}
        {severity}
      </div>
    </a>
    """


@login_required
def my_orders(request):
    """A chief's orders on the phone: the ones to act on first, then the closed ones."""
    orders = selectors.chief_order_cards(user=request.user, limit=200)
    today = timezone.localdate()
    detail = url_of("directives:order-detail")
    accept, submit = (
        url_of("directives:order-action", "accept"),
        url_of("directives:order-action", "submit"),
    )
    status = labels(Status)
    todo, waiting, done = [], [], []
    # What each card prints, worked out once per page (not a URL reversed, a label looked up
    # and a date formatted per card by the template's tags).
    for d in orders:
        card = {
            "pk": d.pk,
            "url": detail(d.pk),
            "number": d.number,
            "title": d.title,
        }
        if d.status in AWAITING_TARGET:
            card.update(
                status=d.status,
                status_label=status[d.status],
                overdue=d.deadline < today,
                deadline=d.deadline.isoformat(),
                river=d.river__name,
                reach=d.reach__name,
                location=d.location,
                return_reason=d.return_reason,
                action=(accept if d.status == Status.ISSUED else submit)(d.pk),
            )
            todo.append(card)
        elif d.status == Status.SUBMITTED:
            waiting.append(card)
        elif d.status == Status.CLOSED and len(done) < 20:
            card["closed_on"] = (
                timezone.localtime(d.closed_at).date().isoformat() if d.closed_at else ""
            )
            done.append(card)
    return render(
        request,
        "directives/my_orders.html",
        {"todo": todo, "waiting": waiting, "done": done},
    )


# --- issuing ----------------------------------------------------------------------------------


def _issue(request, form, *, finding=None):
    data = form.cleaned_data
    try:
        directive = services.issue_directive(
            issued_by=request.user,
            river=data["river"],
            reach=data["reach"],
            title=data["title"],
            description=data["description"],
            requirement=data["requirement"],
            location=data["location"],
            latitude=data["latitude"],
            longitude=data["longitude"],
            source=data["source"],
            source_ref=data["source_ref"],
            severity=data["severity"],
            target_village=data["target_village"],
            target_chief=data["target_chief"],
            issued_on=data["issued_on"],
            deadline=data["deadline"],
            attachments=data["attachments"],
            finding=finding,
        )
    except ValidationError as exc:
        add_form_errors(form, exc)
        return None
    messages.success(request, _("已下发督办单 %(number)s") % {"number": directive.number})
    return redirect("directives:order-detail", pk=directive.pk)


@login_required
def order_create(request):
    require_office(request.user)
    initial = {k: v for k, v in request.GET.items() if k in ("source", "river", "title")}
    form = forms.DirectiveForm(
        request.POST or None, request.FILES or None, user=request.user, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        response = _issue(request, form)
        if response:
            return response
    return render(
        request,
        "directives/order_form.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@login_required
def order_from_finding(request, finding_id: int):
    """Turn a patrol finding into an order in one step (the form comes prefilled)."""
    from patrols.models import Finding

    require_office(request.user)
    finding = get_object_or_404(
        Finding.objects.visible_to(request.user).select_related(
            "river", "reach", "region", "reported_by"
        ),
        pk=finding_id,
    )
    if finding.status != Finding.Status.OPEN:
        messages.error(
            request,
            _("该问题已“%(status)s”，不能再生成督办单") % {"status": finding.get_status_display()},
        )
        existing = finding.directives.first()
        if existing:
            return redirect("directives:order-detail", pk=existing.pk)
        return redirect("directives:order-board")
    form = forms.DirectiveForm(
        request.POST or None,
        request.FILES or None,
        user=request.user,
        initial=forms.prefill_from_finding(finding),
    )
    if request.method == "POST" and form.is_valid():
        response = _issue(request, form, finding=finding)
        if response:
            return response
    return render(
        request,
        "directives/order_form.html",
        {"form": form, "finding": finding},
        status=400 if form.errors else 200,
    )


# --- one order --------------------------------------------------------------------------------


def _detail_context(request, directive: Directive, **bound) -> dict:
    user = request.user
    office = is_office_for(user, directive)
    target = is_target_of(user, directive)
    pending = next(
        (e for e in directive.extensions.all() if e.decision == ExtensionRequest.Decision.PENDING),
        None,
    )
    return {
        "d": directive,
        "overdue": directive.is_overdue(),
        "actions": allowed_actions(directive=directive, user=user),
        "is_office": office,
        "is_target": target,
        "pending_extension": pending,
        "can_request_extension": target and pending is None and directive.status in AWAITING_TARGET,
        "rect_form": bound.get("submit") or forms.RectificationForm(),
        "return_form": bound.get("return") or forms.ReturnForm(),
        "close_form": bound.get("close") or forms.NoteForm(),
        "accept_form": bound.get("accept") or forms.NoteForm(),
        "extension_form": bound.get("extend") or forms.ExtensionForm(),
        "decision_form": bound.get("decide") or forms.ExtensionDecisionForm(),
        "events": directive.events.all(),
        "history": directive.history.select_related("history_user")[:30] if office else [],
    }


@login_required
def order_detail(request, pk: int):
    directive = _get_order(request, pk)
    return render(request, "directives/order_detail.html", _detail_context(request, directive))


ACTION_FORMS = {
    "accept": forms.NoteForm,
    "submit": forms.RectificationForm,
    "return": forms.ReturnForm,
    "close": forms.NoteForm,
    "extend": forms.ExtensionForm,
    "decide": forms.ExtensionDecisionForm,
}

DONE_MESSAGES = {
    "accept": gettext_lazy("已签收"),
    "submit": gettext_lazy("整改情况已提交，等待河长办核查"),
    "return": gettext_lazy("已退回重改"),
    "close": gettext_lazy("已核查销号"),
    "extend": gettext_lazy("延期申请已提交"),
    "decide": gettext_lazy("已审批延期申请"),
}


def _run_action(request, directive: Directive, action: str, data: dict):
    user = request.user
    if action == "accept":
        return services.accept_directive(directive=directive, by=user, note=data["note"])
    if action == "submit":
        return services.submit_rectification(
            directive=directive,
            by=user,
            text=data["text"],
            before_photos=data["before_photos"],
            after_photos=data["after_photos"],
        )
    if action == "return":
        return services.return_directive(directive=directive, by=user, reason=data["reason"])
    if action == "close":
        return services.close_directive(directive=directive, by=user, note=data["note"])
    if action == "extend":
        return services.request_extension(
            directive=directive,
            by=user,
            requested_deadline=data["requested_deadline"],
            reason=data["reason"],
        )
    extension = get_object_or_404(
        directive.extensions.all(), decision=ExtensionRequest.Decision.PENDING
    )
    return services.decide_extension(
        extension=extension, by=user, grant=data["grant"], note=data["note"]
    )


@require_POST
@login_required
def order_action(request, pk: int, action: str):
    if action not in ACTION_FORMS:
        raise Http404
    directive = _get_order(request, pk)
    form = ACTION_FORMS[action](request.POST, request.FILES)
    if form.is_valid():
        try:
            _run_action(request, directive, action, form.cleaned_data)
        except ValidationError as exc:
            # Field errors go next to their field; the rest (a transition out of order) on
            # top of the page, since the form for that action may not be shown any more.
            errors = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
            for field, msgs in errors.items():
                if field in form.fields:
                    form.add_error(field, msgs)
                else:
                    for msg in msgs:
                        messages.error(request, msg)
        else:
            messages.success(request, DONE_MESSAGES[action])
            target = request.POST.get("next", "")
            if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
                return redirect(target)
            if action == "submit" and not is_office_for(request.user, directive):
                return redirect("directives:my-orders")
            return redirect("directives:order-detail", pk=pk)
    directive = _get_order(request, pk)
    return render(
        request,
        "directives/order_detail.html",
        _detail_context(request, directive, **{action: form}),
        status=400,
    )


@login_required
def order_pdf(request, pk: int):
    """The order as a formal document (WeasyPrint, Noto Sans CJK SC)."""
    from weasyprint import HTML

    directive = _get_order(request, pk)
    html = render_to_string(
        "directives/order_pdf.html", {"d": directive, "events": directive.events.all()}, request
    )
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="directive-{directive.year}-{directive.serial}.pdf"'
    )
    return response


# --- statistics -------------------------------------------------------------------------------


def _year(request, years: list[int] | None = None) -> int:
    """The year asked for, else the latest with orders (``years``, when the caller has
    read them already)."""
    try:
        year = request.GET.get("year")
        if not year:
            years = selectors.years_with_orders(user=request.user) if years is None else years
            year = years[0] if years else timezone.localdate().year
        year = int(year)
    except ValueError:
        raise Http404 from None
    return require_year(year)


@login_required
def statistics(request):
    years = selectors.years_with_orders(user=request.user)
    year = _year(request, years)
    return render(
        request,
        "directives/statistics.html",
        {"stats": selectors.yearly_statistics(user=request.user, year=year), "years": years},
    )


@login_required
def export_xlsx(request):
    year = _year(request)
    orders = selectors.directives_for(user=request.user, filters={"year": year}).order_by("serial")
    content = exports.orders_workbook(orders=orders, year=year)
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="directives-{year}.xlsx"'
    return response

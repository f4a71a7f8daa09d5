from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.models import Region, User
from core.scoping import (
    can_manage_registry,
    require_office,
    require_region_in_scope,
    visible_regions,
)
from letters import selectors, services, templating
from letters.forms import BatchCreateForm, TemplateForm
from letters.models import Letter, LetterBatch, LetterTemplate, first_of_month
from letters.pdf import letter_pdf
from notices import selectors as notice_selectors
from notices import services as notice_services


def _is_staff_view(user: User) -> bool:
    return can_manage_registry(user) or user.role == User.Role.DISTRICT_CLIENT


def _towns(user: User):
    """Towns whose letters the user manages (office staff: their own town)."""
    return visible_regions(user).filter(kind=Region.Kind.TOWN).order_by("code")


@login_required
def inbox(request):
    """The chief's own letters; office staff get the batches of their town instead."""
    if _is_staff_view(request.user):
        batches = Paginator(selectors.batches_for(user=request.user), 24).get_page(
            request.GET.get("page")
        )
        form = BatchCreateForm(
            towns=_towns(request.user),
            initial={"month": first_of_month(timezone.localdate())},
        )
        return render(
            request,
            "letters/batches.html",
            {"page": batches, "form": form, "can_manage": can_manage_registry(request.user)},
        )
    page = Paginator(selectors.inbox_for(user=request.user), 24).get_page(request.GET.get("page"))
    return render(request, "letters/inbox.html", {"page": page})


@require_POST
@login_required
def batch_create(request):
    require_office(request.user)
    form = BatchCreateForm(request.POST, towns=_towns(request.user))
    if form.is_valid():
        try:
            batch = services.create_batch(
                town=form.cleaned_data["town"], month=form.cleaned_data["month"], by=request.user
            )
        except ValidationError as exc:
            for errors in exc.message_dict.values():
                for error in errors:
                    messages.error(request, error)
        else:
            messages.success(request, _("已建立批次，请预览后发送"))
            return redirect("letters:batch-detail", pk=batch.pk)
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("letters:inbox")


def _batch(request, pk: int) -> LetterBatch:
    return get_object_or_404(selectors.batches_for(user=request.user), pk=pk)


@login_required
def batch_detail(request, pk: int):
    batch = _batch(request, pk)
    letters = selectors.letters_for(user=request.user, batch=batch).order_by(
        "chief__level", "recipient__username"
    )
    status = request.GET.get("status")
    if status in Letter.Status.values:
        letters = letters.filter(status=status)
    page = Paginator(letters, 50).get_page(request.GET.get("page"))
    for letter in page:
        letter.deliveries = selectors.delivery_labels(letter)
    return render(
        request,
        "letters/batch_detail.html",
        {
            "batch": batch,
            "totals": services.batch_totals(batch=batch),
            "progress": selectors.batch_progress(batch=batch),
            "page": page,
            "status": status,
            "Status": Letter.Status,
            "can_manage": can_manage_registry(request.user),
            "delivery_counts": notice_selectors.count_by_state(
                selectors.batch_deliveries(batch=batch)
            ),
            "resendable": notice_selectors.resendable(
                selectors.batch_deliveries(batch=batch)
            ).count(),
        },
    )


@require_POST
@login_required
def batch_send(request, pk: int):
    """Only queues the batch (the worker composes and sends each letter) and returns at once;
    the batch page then follows the progress."""
    batch = _batch(request, pk)
    try:
        services.send_batch(batch=batch, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已开始发送，共 %(n)s 封") % {"n": batch.letters.count()})
    return redirect("letters:batch-detail", pk=batch.pk)


@login_required
def batch_progress(request, pk: int):
    """The small status fragment the batch page polls (htmx) while the worker sends."""
    batch = _batch(request, pk)
    return render(
        request,
        "letters/_batch_progress.html",
        {"batch": batch, "progress": selectors.batch_progress(batch=batch)},
    )


@require_POST
@login_required
def batch_retry(request, pk: int):
    batch = _batch(request, pk)
    n = services.retry_failed_letters(batch=batch, by=request.user)
    messages.success(request, _("已重新发送 %(n)s 封失败的信") % {"n": n})
    return redirect("letters:batch-detail", pk=batch.pk)


@require_POST
@login_required
def batch_resend(request, pk: int):
    """Resend, once each, the batch's e-mails and SMS that are pending or of unknown outcome."""
    batch = _batch(request, pk)
    require_region_in_scope(request.user, batch.town)
    try:
        n = notice_services.resend(
            deliveries=notice_selectors.resendable(selectors.batch_deliveries(batch=batch)),
            by=request.user,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已重新发送 %(n)s 条邮件和短信") % {"n": n})
    return redirect("letters:batch-detail", pk=batch.pk)


def _letter(request, pk: int) -> Letter:
    try:
        letter = selectors.letter_for(user=request.user, pk=pk)
    except Letter.DoesNotExist:
        raise Http404 from None
    services.require_letter_access(letter=letter, user=request.user)
    return services.preview(letter=letter)


@login_required
def letter_detail(request, pk: int):
    letter = _letter(request, pk)
    services.mark_read(letter=letter, user=request.user)
    return render(
        request,
        "letters/letter_detail.html",
        {
            "letter": letter,
            "f": letter.figures,
            "is_preview": letter.status != Letter.Status.SENT,
            "deliveries": selectors.delivery_labels(letter) if letter.notification_id else {},
            "staff": _is_staff_view(request.user),
        },
    )


@login_required
def letter_pdf_view(request, pk: int):
    letter = _letter(request, pk)
    response = HttpResponse(letter_pdf(letter=letter), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="letter-{letter.pk}.pdf"'
    return response


def _template_town(request) -> Region:
    towns = list(_towns(request.user))
    wanted = request.GET.get("town") or request.POST.get("town")
    town = next((t for t in towns if str(t.pk) == wanted), None) or (towns[0] if towns else None)
    if town is None:
        raise PermissionDenied(_("没有可编辑的镇/街道"))
    return town


@login_required
def template_edit(request):
    require_office(request.user)
    town = _template_town(request)
    subject, body = services.template_for(town=town)
    form = TemplateForm(request.POST or None, initial={"subject": subject, "body": body})
    if request.method == "POST" and form.is_valid():
        try:
            services.save_template(
                town=town,
                subject=form.cleaned_data["subject"],
                body=form.cleaned_data["body"],
                by=request.user,
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("模板已保存"))
            return redirect("letters:template-edit")
    return render(
        request,
        "letters/template_edit.html",
        {
            "form": form,
            "town": town,
            "picker": templating.field_picker(),
            "chiefs": services.preview_chiefs(town=town),
            "saved": LetterTemplate.objects.filter(town=town).first(),
        },
    )


@require_POST
@login_required
def template_preview(request):
    """The live preview of the template being edited, for one chief (an htmx fragment)."""
    require_office(request.user)
    town = _template_town(request)
    chief = services.preview_chiefs(town=town).filter(pk=request.POST.get("chief")).first()
    context = {"chief": chief}
    if chief is None:
        context["errors"] = [_("请选择一位河长")]
    else:
        try:
            context["subject"], context["body"] = services.preview_template(
                town=town,
                subject=request.POST.get("subject", ""),
                body=request.POST.get("body", ""),
                chief=chief,
                by=request.user,
            )
        except ValidationError as exc:
            context["errors"] = [m for messages_ in exc.message_dict.values() for m in messages_]
    return render(request, "letters/_template_preview.html", context)

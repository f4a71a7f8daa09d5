"""Monthly assessment pages (考核): scorecards of a month, one scorecard's breakdown, recompute,
Excel export, and the office's rules. For the office and the district only."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from overview import exports
from overview.models import AssessmentRules, Scorecard
from overview.permissions import sees_overview
from overview.scoping import pick_town, towns_for
from overview.selectors.assessment import RECORD_URLS, month_scorecards, scorecards_for
from overview.services.assessment import (
    DEFAULT_ITEMS,
    ITEMS,
    compute_scorecards,
    create_rules_version,
    rules_for,
)


def _month(value: str | None) -> date:
    today = timezone.localdate()
    default = (today.replace(day=1) - today.resolution).replace(day=1)
    try:
        year, month = (int(p) for p in (value or "").split("-"))
        return date(year, month, 1)
    except ValueError:
        return default


def _common(request):
    if not sees_overview(request.user):
        raise PermissionDenied
    town = pick_town(request.user, request.GET.get("town") or request.POST.get("town"))
    month = _month(request.GET.get("month") or request.POST.get("month"))
    return town, month


@login_required
def scorecards(request):
    town, month = _common(request)
    subject = request.GET.get("subject")
    if subject not in Scorecard.Subject.values:
        subject = Scorecard.Subject.VILLAGE
    cards = month_scorecards(user=request.user, town=town, month=month, subject=subject)
    return render(
        request,
        "overview/scorecards.html",
        {
            "town": town,
            "towns": towns_for(request.user),
            "month": month,
            "subject": subject,
            "subjects": Scorecard.Subject.choices,
            "cards": cards,
            "rules": cards[0].rules if cards else rules_for(town=town, month=month),
            "items": ITEMS,
            "can_compute": request.user.is_superuser or request.user.region_id == town.pk,
        },
    )


@login_required
@require_POST
def compute(request):
    town, month = _common(request)
    try:
        result = compute_scorecards(town=town, month=month, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("已计算 %(month)s 的 %(n)d 份考核")
            % {"month": result["month"], "n": result["scorecards"]},
        )
    return redirect(f"{reverse('overview:scorecards')}?town={town.code}&month={month:%Y-%m}")


def _links(items: list[dict]) -> list[dict]:
    out = []
    for item in items:
        records = []
        for record in item["records"]:
            try:
                url = reverse(RECORD_URLS[record["kind"]], args=[record["id"]])
            except (KeyError, NoReverseMatch):
                url = ""
            records.append({**record, "url": url})
        out.append({**item, "label": ITEMS.get(item["key"], item["key"]), "records": records})
    return out


@login_required
def scorecard_detail(request, pk: int):
    card = get_object_or_404(scorecards_for(user=request.user), pk=pk)
    return render(
        request,
        "overview/scorecard_detail.html",
        {"card": card, "town": card.town, "items": _links(card.items)},
    )


@login_required
def scorecards_xlsx(request):
    town, month = _common(request)
    cards = [
        *month_scorecards(user=request.user, town=town, month=month, subject="village"),
        *month_scorecards(user=request.user, town=town, month=month, subject="chief"),
    ]
    response = HttpResponse(
        exports.scorecards_workbook(town=town, month=month, cards=cards, items=ITEMS),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="scorecards-{town.code}-{month:%Y-%m}.xlsx"'
    )
    return response


@login_required
def rules(request):
    town, month = _common(request)
    can_edit = request.user.is_superuser or (
        request.user.role == "office" and request.user.region_id == town.pk
    )
    current = rules_for(town=town, month=timezone.localdate())
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        try:
            weights = {key: int(request.POST.get(f"weight_{key}") or 0) for key in ITEMS}
            bands = [
                {
                    "min": int(request.POST[f"band_min_{i}"]),
                    "label": request.POST[f"band_label_{i}"],
                }
                for i in range(4)
                if request.POST.get(f"band_label_{i}", "").strip()
            ]
            create_rules_version(
                user=request.user, town=town, valid_from=month, weights=weights, bands=bands,
                note=request.POST.get("note", "")[:300],
            )  # fmt: skip
        except (ValueError, KeyError):
            messages.error(request, _("权重和分数线须为整数"))
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("已保存新版本的考核规则"))
            return redirect(f"{reverse('overview:rules')}?town={town.code}")
    weights = current.weights() if current.items else {i["key"]: i["weight"] for i in DEFAULT_ITEMS}
    today = timezone.localdate()
    return render(
        request,
        "overview/rules.html",
        {
            "town": town,
            "current": current,
            "versions": AssessmentRules.objects.filter(
                Q(town=town) | Q(town__isnull=True)
            ).select_related("town", "created_by"),
            "item_rows": [(key, label, weights.get(key, 0)) for key, label in ITEMS.items()],
            "band_rows": list(enumerate([*current.bands, *[{}] * (4 - len(current.bands))][:4])),
            "next_month": f"{today:%Y-%m}",
            "can_edit": can_edit,
        },
    )

"""Duty: the month table, its export, the rules and the authenticity thresholds."""

from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.template import Context
from django.template.base import render_value_in_context
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from core.choices import ChiefLevel, labels
from core.links import route
from core.models import Region
from core.params import query_id
from core.scoping import can_manage_registry, require_office, visible_regions
from patrols import authenticity, exports, selectors, services
from patrols.forms import DutyRuleForm, PolicyForm
from patrols.models import AuthenticityPolicy, DutyRule
from patrols.periods import parse_month
from patrols.selectors.duty import active_rules, rules_for
from patrols.views.common import add_errors, xlsx_response
from rivers.models import Chief


def _duty_rows(request, rules: list | None = None) -> tuple[date, list[tuple], dict]:
    month = parse_month(request.GET.get("month"), default=timezone.localdate())
    chiefs = Chief.objects.visible_to(request.user).active().select_related("user", "region")
    if request.user.is_village_chief:
        # Rankings are for the office's eyes (the 2023 rule against "fingertip formalism").
        chiefs = chiefs.filter(user=request.user)
    level = request.GET.get("level") or ""
    if level:
        chiefs = chiefs.filter(level=level)
    region = query_id(request.GET, "region")
    if region is not None:
        chiefs = chiefs.filter(region_id=region)
    chiefs = list(chiefs.order_by("level", "region__code", "user__username"))
    duties = selectors.duty_for(chiefs=chiefs, month=month, rules=rules)
    rows = [(c, duties[c.pk]) for c in chiefs]
    if request.GET.get("behind"):
        rows = [r for r in rows if r[1].behind]
    return month, rows, {"level": level, "region": region, "behind": request.GET.get("behind")}


@login_required
def duty(request):
    active = active_rules()  # read once for the table and the rules printed above it
    month, rows, chosen = _duty_rows(request, active)
    previous = (month - timedelta(days=1)).replace(day=1)
    following = (month + timedelta(days=31)).replace(day=1)
    return render(
        request,
        "patrols/duty.html",
        {
            "month": month,
            "previous": previous,
            "following": following,
            "rows": rows,
            "lines": _duty_lines(rows, month=month),
            "chosen": chosen,
            "behind_count": sum(1 for _c, d in rows if d.behind),
            "regions": visible_regions(request.user).exclude(kind=Region.Kind.DISTRICT),
            "rules": rules_for(region=request.user.region, rules=active),
            "levels": Chief._meta.get_field("level").choices,
        },
    )


def _duty_lines(rows: list[tuple], *, month: date) -> list[str]:
    """Each duty row's markup, as duty.html's loop wrote it (whitespace included), written
    once per row: the template's ``{% url %}``, ``get_level_display`` and the row's tags and
    variables were most of the page's time (a town's ~130 chiefs). Every value goes through
    the template's own ``render_value_in_context`` (localized as ``{{ }}`` does, and
    autoescaped), so the text is the same."""
    context = Context(autoescape=True)

    def text(value) -> str:
        return render_value_in_context(value, context)

    link = f"{text(route('patrols:patrol-list'))}?chief=%s&amp;month={text(f'{month:%Y-%m}')}"
    levels = {k: text(v) for k, v in labels(ChiefLevel).items()}
    behind = (
        f'<span class="tag bad">{text(pgettext("patrol duty", "未达标"))}</span> '
        '<small class="muted">%s</small>\n          '
    )
    met = f'<span class="tag ok">{text(pgettext("patrol duty", "达标"))}</span>'
    nothing = f'<span class="muted">{text(_("本月无要求"))}</span>'
    lines = []
    for chief, d in rows:
        late = d.behind
        if late:
            state = behind % "、".join(
                f"{text(p.span.key)}（{text(p.done)}/{text(p.required)}）" for p in d.missed
            )
        else:
            state = met if d.required else nothing
        level = chief.level
        lines.append(
            mark_safe(
                _DUTY_ROW.format(
                    behind="behind" if late else "",
                    url=link % text(chief.pk),
                    chief=text(chief.user),
                    level=levels[level] if level in levels else text(level),
                    region=text(chief.region.name),
                    done=text(d.done),
                    required=text(d.required),
                    state=state,
                )
            )
        )
    return lines


# One row as duty.html's loop wrote it (the loop's own indentation included).
_DUTY_ROW = """
    <tr class="{behind}"><td><a href="{url}">{chief}</a></td>
      <td>{level}</td><td>{region}</td>
      <td class="num">{done}</td><td class="num">{required}</td>
      <td>{state}</td></tr>
  """


@login_required
def duty_export(request):
    month, rows, _chosen = _duty_rows(request)
    return xlsx_response(exports.duty_workbook(month=month, rows=rows), f"duty-{month:%Y-%m}.xlsx")


@login_required
def rules(request):
    """Duty rules and authenticity thresholds, as everyone can read them; the office edits."""
    policy = AuthenticityPolicy.for_region(request.user.region)
    return render(
        request,
        "patrols/rules.html",
        {
            "rules": rules_for(region=request.user.region),
            "region": request.user.region,
            "policy": policy,
            "descriptions": authenticity.describe(authenticity.Thresholds.of(policy)),
            "labels": authenticity.LABELS,
            "can_edit": can_manage_registry(request.user),
        },
    )


@login_required
def rule_edit(request, pk: int | None = None):
    require_office(request.user)
    rule = (
        services.own_copy(rule=get_object_or_404(DutyRule, pk=pk), by=request.user)
        if pk
        else DutyRule()
    )
    form = DutyRuleForm(request.POST or None, instance=rule, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_duty_rule(rule=form.instance, by=request.user)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("巡河频次规则已保存"))
            return redirect("patrols:rules")
    return render(request, "patrols/rule_form.html", {"form": form, "rule": rule})


@login_required
def policy_edit(request):
    require_office(request.user)
    form = PolicyForm(request.POST or None, instance=services.own_policy(by=request.user))
    if request.method == "POST" and form.is_valid():
        try:
            since = None
            if form.cleaned_data["recompute"]:
                since = timezone.localdate().replace(month=1, day=1)
            services.save_policy(policy=form.instance, by=request.user, recompute_since=since)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("真实性核查标准已保存"))
            return redirect("patrols:rules")
    return render(request, "patrols/policy_form.html", {"form": form})

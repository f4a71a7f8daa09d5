"""Registry pages: thin callers of the selectors and services."""

import copy
import html

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template import Context
from django.template.base import render_value_in_context
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.choices import ChiefLevel, WaterClass, labels
from core.links import url_of
from core.scoping import can_write_registry
from rivers import importing, selectors, services
from rivers.forms import AssignChiefForm, EndAssignmentForm, ImportForm, RiverForm
from rivers.models import Chief, ChiefAssignment, River

PAGE_SIZE = 50


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _form_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            for error in errors:
                form.add_error(field if field in form.fields else None, error)
    else:
        form.add_error(None, exc)


@login_required
def river_list(request):
    filterset, rivers = selectors.river_list(user=request.user, data=request.GET)
    page = selectors.river_page(rivers, request.GET.get("page"), size=PAGE_SIZE)
    page.object_list = selectors.registry_rows(list(page.object_list))
    _dress_rows(page.object_list)
    return render(
        request,
        "rivers/river_list.html",
        {"filter": filterset, "page": page, "can_import": can_write_registry(request.user)},
    )


def _dress_rows(rivers: list[dict]) -> None:
    """Sets ``line`` on each registry row: its markup, as river_list.html's loop wrote it
    (whitespace included), written once per row. ``get_FOO_display`` (which rebuilds the
    field's choices as a dict on every call), a URL reversed and the villages' and chiefs'
    loops in the template per row were most of the list's time, then the row's eight cells
    of tags and variables most of what was left. Every value goes through the template's own
    ``render_value_in_context`` (localized as ``{{ }}`` does, a decimal length included, and
    autoescaped), so the text is the same."""
    url = url_of("rivers:river-detail")
    context = Context(autoescape=True)

    def text(value) -> str:
        if type(value) is str:
            # What render_value_in_context makes of a plain string (no localizing, escaped
            # by django.utils.html.escape's html.escape), without its four calls a value.
            return html.escape(value)
        return render_value_in_context(value, context)

    levels = {k: text(v) for k, v in labels(ChiefLevel).items()}
    targets = {k: text(v) for k, v in labels(WaterClass).items()}
    more = _(" 等 %(n)s 人")
    revoked = f' <span class="tag">{text(_("已撤销"))}</span>'
    no_villages = '<span class="muted">—</span>'
    vacant = f'<span class="tag bad">{text(_("空缺"))}</span>'
    for river in rivers:
        names = river["chiefs"]
        chiefs = "、".join(names[:3])
        if len(names) > 3:
            chiefs += more % {"n": len(names)}
        villages = "、".join(river["villages"])
        level, target = river["level"], river["target_class"]
        river["line"] = mark_safe(
            _ROW.format(
                code=text(river["code"]),
                url=text(url(river["pk"])),
                name=text(river["name"]),
                revoked="" if river["is_active"] else revoked,
                level=levels[level] if level in levels else text(level),
                length=text(river["length_km"]),
                region=text(river["region_name"]),
                villages=text(villages) if villages else no_villages,
                target=targets[target] if target in targets else text(target),
                chiefs=text(chiefs) if chiefs else vacant,
            )
        )


# One row as river_list.html wrote it (the loop's own indentation included).
_ROW = """
  <tr>
    <td class="code">{code}</td>
    <td><a href="{url}">{name}</a>{revoked}</td>
    <td>{level}</td>
    <td class="num">{length}</td>
    <td class="hide-sm">{region}</td>
    <td class="hide-sm">{villages}</td>
    <td class="hide-sm"><span class="tag">{target}</span></td>
    <td>{chiefs}</td>
  </tr>
  """


def _editable(request, river: River) -> bool:
    return River.objects.editable_by(request.user).filter(pk=river.pk).exists()


@login_required
def river_detail(request, pk: int, assign_form=None, end_form=None):
    river = selectors.river_detail(user=request.user, pk=pk)
    today = timezone.localdate()
    editable = _editable(request, river)
    context = {
        "river": river,
        "today": today,
        "chief_rows": selectors.chief_table(river, on=today),
        "history": river.all_assignments,
        "vacancies": selectors.vacancies_of(
            river, list(river.reaches.all()), river.all_assignments, on=today
        ),
        "editable": editable,
        "changes": selectors.river_changes(river),
    }
    if editable:
        context["assign_form"] = assign_form or AssignChiefForm(river=river, user=request.user)
        context["end_form"] = end_form
    return render(request, "rivers/river_detail.html", context)


@login_required
def base_map(request):
    """The base layer of the maps (the rivers the user may see), fetched by static/js/map.js."""
    response = JsonResponse(selectors.base_map(request.user))
    response["Content-Type"] = "application/geo+json"
    patch_cache_control(response, private=True, max_age=300)
    return response


@login_required
def river_create(request):
    if not can_write_registry(request.user):
        raise PermissionDenied(_("只有河长办工作人员可以修改河道名录"))
    form = RiverForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            river = services.create_river(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("已登记河道%(name)s") % {"name": river.name})
            return redirect("rivers:river-detail", pk=river.pk)
    return render(request, "rivers/river_form.html", {"form": form, "river": None})


@login_required
def river_edit(request, pk: int):
    river = get_object_or_404(River.objects.visible_to(request.user, by_id=True), pk=pk)
    if not _editable(request, river):
        raise PermissionDenied(_("您不能修改这条河道"))
    form = RiverForm(request.POST or None, user=request.user, river=river)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "code"}
        try:
            services.update_river(by=request.user, river=river, **data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("已保存"))
            return redirect("rivers:river-detail", pk=river.pk)
    return render(request, "rivers/river_form.html", {"form": form, "river": river})


@login_required
@require_POST
def river_assign(request, pk: int):
    river = get_object_or_404(River.objects.visible_to(request.user, by_id=True), pk=pk)
    if not _editable(request, river):
        raise PermissionDenied(_("您不能管理这条河道的河长"))
    form = AssignChiefForm(request.POST, river=river, user=request.user)
    if form.is_valid():
        try:
            assignment = services.assign_chief(river=river, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(
                request,
                _("已任命%(chief)s为%(where)s%(level)s%(duty)s")
                % {
                    "chief": assignment.chief.user,
                    "where": assignment.reach or river,
                    "level": assignment.get_level_display(),
                    "duty": assignment.get_duty_display(),
                },
            )
            return redirect("rivers:river-detail", pk=river.pk)
    return river_detail(request, pk, assign_form=form)


@login_required
@require_POST
def assignment_end(request, pk: int):
    river = get_object_or_404(River.objects.visible_to(request.user, by_id=True), pk=pk)
    if not _editable(request, river):
        raise PermissionDenied(_("您不能管理这条河道的河长"))
    form = EndAssignmentForm(request.POST, river=river)
    if form.is_valid():
        try:
            services.end_assignment(
                assignment=form.cleaned_data["assignment"],
                end_date=form.cleaned_data["end_date"],
                by=request.user,
            )
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, _("任命已结束"))
    else:
        messages.error(request, _("请填写有效的结束日期"))
    return redirect("rivers:river-detail", pk=river.pk)


@login_required
def vacancy_list(request):
    filterset, _rivers = selectors.river_list(user=request.user, data=request.GET)
    vacancies = selectors.vacancies_for(user=request.user, filterset=filterset)
    return render(
        request, "rivers/vacancy_list.html", {"filter": filterset, "vacancies": vacancies}
    )


@login_required
def chief_list(request):
    filterset, chiefs = selectors.chiefs_for(user=request.user, data=request.GET)
    page = _page(request, selectors.ranked_chiefs(chiefs))
    # Copies: the ranked chiefs are shared by the requests of the same list (in this process).
    page.object_list = [copy.copy(chief) for chief in page.object_list]
    _dress_chiefs(page.object_list)
    return render(request, "rivers/chief_list.html", {"filter": filterset, "page": page})


def _dress_chiefs(chiefs) -> None:
    """What each directory row prints, worked out once per page (as for the registry): the
    chief's link, the level and title labels, and the rivers cell's markup (its loop over
    each chief's eight rivers, with three tests each, was most of the template's work), every
    text escaped as the template escaped it."""
    chief_url = url_of("rivers:chief-detail")
    river_url = url_of("rivers:river-detail")
    levels = labels(ChiefLevel)
    titles = labels(Chief.Title)
    deputy = format_html(' <small class="muted">{}</small>', _("副"))
    none = mark_safe('<span class="muted">—</span>')
    more = _("等 %(n)s 处")
    for chief in chiefs:
        chief.url = chief_url(chief.pk)
        chief.level_label = levels.get(chief.level, chief.level)
        chief.title_label = titles.get(chief.title, chief.title)
        rivers = []
        for a in chief.current_assignments:
            river = format_html('<a href="{}">{}</a>', river_url(a["river_id"]), a["river_name"])
            if a["reach_name"]:
                river += format_html("·{}", a["reach_name"])
            if a["duty"] == ChiefAssignment.Duty.DEPUTY:
                river += deputy
            rivers.append(river)
        cell = mark_safe("、".join(rivers)) if rivers else none
        if chief.river_count > len(chief.current_assignments):
            # {% blocktrans %}: the number escaped, the translation itself as it is.
            text = more % {"n": conditional_escape(chief.river_count)}
            cell += format_html(' <a class="muted" href="{}">{}</a>', chief.url, mark_safe(text))
        chief.rivers_cell = cell


@login_required
def chief_detail(request, pk: int):
    chief = selectors.chief_detail(user=request.user, pk=pk)
    today = timezone.localdate()
    # The rivers in their charge a page at a time: a village chief may answer for hundreds,
    # and rendering every row was most of the page's time.
    current = _page(request, selectors.chief_assignments(chief=chief, current=True, on=today))
    past = list(selectors.chief_assignments(chief=chief, current=False, on=today))
    _dress_assignments([*current.object_list, *past])
    return render(
        request,
        "rivers/chief_detail.html",
        {
            "chief": chief,
            "today": today,
            "page": current,
            "current": current.object_list,
            "past": past,
        },
    )


def _dress_assignments(assignments) -> None:
    """What each assignment row prints, worked out once per page (as for the registry)."""
    url = url_of("rivers:river-detail")
    levels = labels(ChiefLevel)
    duties = labels(ChiefAssignment.Duty)
    for a in assignments:
        a.river_url = url(a.river_id)
        a.level_label = levels.get(a.level, a.level)
        a.duty_label = duties.get(a.duty, a.duty)
        a.start_text = a.start_date.isoformat() if a.start_date else ""
        a.end_text = a.end_date.isoformat() if a.end_date else "—"


# --- import ----------------------------------------------------------------------------------

SESSION_KEY = "rivers-import"


def _require_importer(request) -> None:
    if not can_write_registry(request.user):
        raise PermissionDenied(_("只有河长办工作人员可以导入河道名录"))


@login_required
def import_rivers(request):
    """Upload → dry run with a preview; the file waits in the session until confirmed."""
    _require_importer(request)
    result = None
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            content = upload.read()
            try:
                result = importing.import_rivers(
                    content=content,
                    filename=upload.name,
                    town=form.cleaned_data["town"],
                    by=request.user,
                    update=form.cleaned_data["update"],
                )
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                if result.ok:
                    request.session[SESSION_KEY] = {
                        "name": upload.name,
                        "content": content.hex(),
                        "town": form.cleaned_data["town"].pk,
                        "update": form.cleaned_data["update"],
                    }
    else:
        form = ImportForm(user=request.user)
    return render(request, "rivers/import.html", {"form": form, "result": result})


@login_required
@require_POST
def import_confirm(request):
    _require_importer(request)
    pending = request.session.get(SESSION_KEY)
    if not pending:
        messages.error(request, _("没有待确认的导入，请重新上传文件"))
        return redirect("rivers:import")
    from core.models import Region

    town = get_object_or_404(Region, pk=pending["town"])
    try:
        result = importing.import_rivers(
            content=bytes.fromhex(pending["content"]),
            filename=pending["name"],
            town=town,
            by=request.user,
            update=pending["update"],
            commit=True,
        )
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("rivers:import")
    del request.session[SESSION_KEY]
    if not result.ok:
        # The registry changed since the dry run (someone registered one of the codes).
        form = ImportForm(user=request.user)
        return render(request, "rivers/import.html", {"form": form, "result": result})
    messages.success(
        request,
        _("导入完成：新增 %(created)d 条，更新 %(updated)d 条")
        % {"created": result.created, "updated": result.updated},
    )
    return redirect("rivers:river-list")


@login_required
def import_template(request):
    if request.GET.get("format") == "csv":
        response = HttpResponse(importing.template_csv(), content_type="text/csv; charset=utf-8")
        filename = "river-registry-template.csv"
    else:
        response = HttpResponse(
            importing.template_xlsx(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        filename = "river-registry-template.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response

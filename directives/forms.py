from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import Region, User
from core.scoping import visible_regions
from core.widgets import LongSelect
from directives.models import InspectionRound, Severity, Source
from rivers.models import Chief, Reach, River


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented recipe)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class PhotoInput(MultipleFileInput):
    def __init__(self, attrs=None):
        super().__init__({"accept": "image/*", **(attrs or {})})


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class ReachSelect(forms.Select):
    """Each option carries its river, so the page can offer only the chosen river's reaches."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            option["attrs"]["data-river"] = instance.river_id
        return option


def _town_rivers(user: User):
    return River.objects.visible_to(user).filter(is_active=True).order_by("level", "code")


class DirectiveForm(forms.Form):
    """The office's form for a new order; rules are checked again by ``issue_directive``."""

    title = forms.CharField(label=_("事由"), max_length=200)
    description = forms.CharField(label=_("发现的问题"), widget=forms.Textarea(attrs={"rows": 3}))
    requirement = forms.CharField(
        label=_("整改要求"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    river = forms.ModelChoiceField(
        label=_("河道"), queryset=River.objects.none(), widget=LongSelect(label_field="name")
    )
    reach = forms.ModelChoiceField(
        label=_("河段"), queryset=Reach.objects.none(), required=False, widget=ReachSelect
    )
    location = forms.CharField(label=_("具体位置"), max_length=200, required=False)
    latitude = forms.DecimalField(
        label=_("纬度"), max_digits=9, decimal_places=6, required=False, min_value=-90, max_value=90
    )
    longitude = forms.DecimalField(
        label=_("经度"),
        max_digits=9,
        decimal_places=6,
        required=False,
        min_value=-180,
        max_value=180,
    )
    source = forms.ChoiceField(label=_("来源"), choices=Source.choices)
    source_ref = forms.CharField(label=_("来源说明"), max_length=200, required=False)
    severity = forms.ChoiceField(label=_("严重程度"), choices=Severity.choices)
    target_village = forms.ModelChoiceField(
        label=_("责任村"), queryset=Region.objects.none(), required=False
    )
    target_chief = forms.ModelChoiceField(
        label=_("责任河长"), queryset=Chief.objects.none(), required=False
    )
    issued_on = forms.DateField(label=_("下发日期"), widget=DateInput())
    deadline = forms.DateField(label=_("整改期限"), widget=DateInput())
    attachments = MultipleFileField(label=_("附件"))

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        rivers = _town_rivers(user)
        self.fields["river"].queryset = rivers
        self.fields["reach"].queryset = Reach.objects.filter(river__in=rivers).select_related(
            "river"
        )
        self.fields["target_village"].queryset = visible_regions(user).filter(
            kind=Region.Kind.VILLAGE
        )
        self.fields["target_chief"].queryset = (
            Chief.objects.visible_to(user).active().select_related("user").order_by("level")
        )
        self.fields["issued_on"].initial = timezone.localdate()


class RectificationForm(forms.Form):
    text = forms.CharField(
        label=_("整改情况"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    before_photos = MultipleFileField(label=_("整改前照片"), widget=PhotoInput())
    after_photos = MultipleFileField(
        label=_("整改后照片"), widget=PhotoInput(attrs={"capture": "environment"})
    )

    def clean(self):
        data = super().clean()
        if not (data.get("text") or "").strip() and not (
            data.get("before_photos") or data.get("after_photos")
        ):
            raise ValidationError(_("请填写整改情况或上传整改照片"))
        return data


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("核查意见"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReturnForm(forms.Form):
    reason = forms.CharField(label=_("退回理由"), widget=forms.Textarea(attrs={"rows": 2}))


class ExtensionForm(forms.Form):
    requested_deadline = forms.DateField(label=_("申请延至"), widget=DateInput())
    reason = forms.CharField(label=_("延期理由"), widget=forms.Textarea(attrs={"rows": 2}))


class ExtensionDecisionForm(forms.Form):
    grant = forms.TypedChoiceField(
        choices=[("1", _("批准")), ("0", _("不予批准"))], coerce=lambda v: v == "1"
    )
    note = forms.CharField(label=_("审批意见"), required=False)


class InspectionRoundForm(forms.Form):
    name = forms.CharField(label=_("检查名称"), max_length=200)
    group = forms.CharField(label=_("检查组"), max_length=100)
    topic = forms.CharField(label=_("检查内容"), max_length=200, required=False)
    start_date = forms.DateField(label=_("开始日期"), widget=DateInput())
    end_date = forms.DateField(label=_("结束日期"), widget=DateInput())
    rivers = forms.ModelMultipleChoiceField(
        label=_("检查河道"),
        queryset=River.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    conclusion = forms.CharField(
        label=_("检查结论"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rivers"].queryset = _town_rivers(user)


class WorkOrderForm(forms.Form):
    number = forms.CharField(label=_("指令编号"), max_length=60)
    river = forms.ModelChoiceField(label=_("河道"), queryset=River.objects.none(), required=False)
    content = forms.CharField(label=_("指令内容"), widget=forms.Textarea(attrs={"rows": 2}))
    issued_on = forms.DateField(label=_("下达日期"), widget=DateInput())
    reply_deadline = forms.DateField(label=_("答复期限"), widget=DateInput())

    def __init__(self, *args, inspection_round: InspectionRound, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["river"].queryset = inspection_round.rivers.all()


class ReplyForm(forms.Form):
    text = forms.CharField(label=_("答复内容"), widget=forms.Textarea(attrs={"rows": 2}))


def prefill_from_finding(finding) -> dict:
    """Initial values of the order form for a patrol finding."""
    note = finding.note or finding.get_category_display()
    return {
        "title": f"{finding.river.name}{finding.get_category_display()}",
        "description": note,
        "river": finding.river_id,
        "reach": finding.reach_id,
        "latitude": round(finding.latitude, 6) if finding.latitude is not None else None,
        "longitude": round(finding.longitude, 6) if finding.longitude is not None else None,
        "source": Source.PATROL_FINDING,
        "source_ref": str(finding.reported_by),
        "target_village": finding.region_id if finding.region.kind == Region.Kind.VILLAGE else None,
    }

"""HTML forms: they check types; the services check the rules."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.widgets import LongSelect
from patrols.models import AuthenticityPolicy, DutyRule, Finding, Patrol
from rivers.models import Chief, Reach, River

DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class RecordPatrolForm(forms.Form):
    """A patrol recorded after the fact, with a GPX track or just its times."""

    chief = forms.ModelChoiceField(
        queryset=Chief.objects.none(),
        required=False,
        label=_("河长"),
        help_text=_("河长办代为补录时选择"),
    )
    river = forms.ModelChoiceField(
        queryset=River.objects.none(), label=_("河道"), widget=LongSelect(label_field="name")
    )
    reach = forms.ModelChoiceField(queryset=Reach.objects.none(), required=False, label=_("河段"))
    started_at = forms.DateTimeField(
        label=_("开始时间"),
        required=False,
        widget=DATETIME_INPUT,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    ended_at = forms.DateTimeField(
        label=_("结束时间"),
        required=False,
        widget=DATETIME_INPUT,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    gpx = forms.FileField(
        label=_("GPX 轨迹文件"),
        required=False,
        help_text=_("上传 GPX 时可不填时间：按轨迹的第一个和最后一个点计算"),
    )
    walker_name = forms.CharField(
        label=_("实际巡河人"),
        required=False,
        max_length=50,
        help_text=_("由他人代为巡河时填写（如河长助理）"),
    )
    note = forms.CharField(
        label=_("巡河情况"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        own = getattr(user, "chief", None)
        if own is not None:
            rivers = River.objects.assigned_to(user)
            del self.fields["chief"]
        else:
            rivers = River.objects.visible_to(user)
            self.fields["chief"].queryset = (
                Chief.objects.visible_to(user).active().select_related("user")
            )
            self.fields["chief"].required = True
        self.fields["river"].queryset = rivers.order_by("code")
        self.fields["reach"].queryset = Reach.objects.filter(river__in=rivers).select_related(
            "river"
        )


class FindingForm(forms.ModelForm):
    photos = forms.FileField(
        label=_("照片"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )

    class Meta:
        model = Finding
        fields = ["category", "note"]


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=Patrol.Review.choices, label=_("审核结论"))
    note = forms.CharField(label=_("审核意见"), required=False, max_length=200)


class DutyRuleForm(forms.ModelForm):
    class Meta:
        model = DutyRule
        fields = [
            "level",
            "period",
            "times",
            "per_river",
            "river",
            "season_start_month",
            "season_end_month",
            "is_active",
            "note",
        ]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["river"].queryset = River.objects.visible_to(user).order_by("code")


class PolicyForm(forms.ModelForm):
    recompute = forms.BooleanField(
        label=_("按新标准重新核查今年以来的巡河"),
        required=False,
        help_text=_("否则新标准只用于此后结束的巡河"),
    )

    class Meta:
        model = AuthenticityPolicy
        fields = [
            "min_minutes",
            "min_distance_m",
            "max_speed_kmh",
            "max_river_distance_m",
            "min_points",
            "photo_tolerance_minutes",
        ]

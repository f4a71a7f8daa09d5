from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.choices import ChiefLevel, labels
from core.models import Region, User
from core.rows import display_name, name_columns
from core.scoping import visible_regions
from core.widgets import LongSelect
from rivers import importing
from rivers.models import ChiefAssignment, River
from rivers.selectors import assignable_chiefs


class AssignChiefForm(forms.Form):
    # The selects are rendered in Python (core.widgets.LongSelect) from options read as plain
    # rows once (below): the stock widget's template per option and a model per chief were a
    # third of the river page's time.
    reach = forms.ModelChoiceField(
        label=_("河段"), queryset=None, required=False, empty_label=_("全河"), widget=LongSelect
    )
    level = forms.ChoiceField(label=_("级别"), choices=ChiefLevel.choices, widget=LongSelect)
    chief = forms.ModelChoiceField(label=_("河长"), queryset=None, widget=LongSelect)
    duty = forms.ChoiceField(
        label=_("职责"),
        choices=ChiefAssignment.Duty.choices,
        initial=ChiefAssignment.Duty.RESPONSIBLE,
        widget=LongSelect,
    )
    start_date = forms.DateField(
        label=_("起始日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, *args, river: River, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        reaches = river.reaches.all()  # the river page's prefetched reaches
        self.fields["reach"].queryset = reaches
        self.fields["chief"].queryset = assignable_chiefs(user=user)
        # What the selects offer (the querysets above check what comes back): the same
        # options as the fields' own, without a model per chief.
        self.fields["reach"].widget.choices = [
            ("", self.fields["reach"].empty_label),
            *((reach.pk, str(reach)) for reach in reaches),
        ]
        levels = labels(ChiefLevel)
        self.fields["chief"].widget.choices = [
            ("", self.fields["chief"].empty_label),
            *(
                (
                    pk,
                    f"{display_name(last, first, username)}（{levels.get(level, level)} · {where}）",
                )
                for pk, last, first, username, level, where in assignable_chiefs(
                    user=user
                ).values_list("pk", *name_columns("user"), "level", "region__name")
            ),
        ]
        self.fields["level"].initial = river.level
        self.fields["start_date"].initial = timezone.localdate()


class EndAssignmentForm(forms.Form):
    assignment = forms.ModelChoiceField(queryset=None, widget=forms.HiddenInput)
    end_date = forms.DateField(
        label=_("结束日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args, river: River, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignment"].queryset = river.assignments.all()


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("名录文件"), help_text=_(".xlsx 或 .csv，第一行为表头（见模板）")
    )
    town = forms.ModelChoiceField(label=_("镇/街道"), queryset=None)
    update = forms.BooleanField(
        label=_("更新已登记的河道"),
        required=False,
        help_text=_("不勾选时，编码已登记的行会被视为错误"),
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        towns = visible_regions(user).filter(kind=Region.Kind.TOWN)
        if not towns.exists() and user.region_id:
            # Office staff of a village-level region: import into the town above it.
            towns = Region.objects.filter(code=user.region.town_code)
        self.fields["town"].queryset = towns
        if len(towns) == 1:
            self.fields["town"].initial = towns[0]
        self.fields["file"].widget.attrs["accept"] = ".xlsx,.csv"

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".xlsx", ".csv")):
            raise forms.ValidationError(_("只支持 .csv 或 .xlsx 文件"))
        # The settings' IMPORT_MAX_FILE_MB, and never more than 10 MB (the file waits in the
        # session until it is confirmed).
        cap = min(importing.caps().max_file_bytes, 10 * 1024 * 1024)
        if upload.size > cap:
            raise forms.ValidationError(
                _("文件大小 %(size)s MB 超过上限 %(cap)s MB")
                % {"size": f"{upload.size / 2**20:.1f}", "cap": f"{cap / 2**20:g}"}
            )
        return upload


class RiverForm(forms.Form):
    """The registry entry of one river; ``services.create_river`` / ``update_river`` decide."""

    code = forms.CharField(label=_("河道编码"), max_length=30)
    name = forms.CharField(label=_("河道名称"), max_length=100)
    level = forms.ChoiceField(label=_("河道等级"), choices=ChiefLevel.choices)
    water_type = forms.ChoiceField(label=_("水体类型"), choices=River.WaterType.choices)
    length_km = forms.DecimalField(label=_("长度（公里）"), max_digits=7, decimal_places=2)
    region = forms.ModelChoiceField(
        label=_("所属区划"), queryset=None, help_text=_("镇级河道属镇，村级河道属村")
    )
    regions = forms.ModelMultipleChoiceField(
        label=_("流经村"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    target_class = forms.TypedChoiceField(
        label=_("水质目标"), choices=River._meta.get_field("target_class").choices, coerce=int
    )
    start_point = forms.CharField(label=_("起点"), max_length=100, required=False)
    end_point = forms.CharField(label=_("终点"), max_length=100, required=False)
    note = forms.CharField(
        label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    is_active = forms.BooleanField(label=_("在册"), required=False, initial=True)

    def __init__(self, *args, user: User, river: River | None = None, **kwargs):
        if river is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                **{f: getattr(river, f) for f in self.base_fields if f != "regions"},
                "regions": [r for r in river.regions.all() if r.kind == Region.Kind.VILLAGE],
            }
        super().__init__(*args, **kwargs)
        regions = visible_regions(user).exclude(kind=Region.Kind.DISTRICT)
        self.fields["region"].queryset = regions
        self.fields["regions"].queryset = regions.filter(kind=Region.Kind.VILLAGE)
        if river is not None:
            # The code is the river's identity in other systems: it is not edited here.
            self.fields["code"].disabled = True

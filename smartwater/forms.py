from django import forms
from django.utils.translation import gettext_lazy as _

from smartwater.models import Parameter, Site


class ImportForm(forms.Form):
    file = forms.FileField(label=_("监测点清单（.xlsx）"))


class SiteForm(forms.Form):
    status = forms.ChoiceField(label=_("状态"), choices=Site.Status.choices)
    latitude = forms.DecimalField(label=_("纬度"), max_digits=9, decimal_places=6)
    longitude = forms.DecimalField(label=_("经度"), max_digits=9, decimal_places=6)
    parameters = forms.MultipleChoiceField(
        label=_("监测参数"),
        choices=Parameter.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    notes = forms.CharField(
        label=_("备注"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

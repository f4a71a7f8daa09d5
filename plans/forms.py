from django import forms
from django.utils.translation import gettext_lazy as _

from plans.models import Measure


class MeasureProgressForm(forms.Form):
    progress = forms.IntegerField(
        label=_("进度（%）"),
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0, "max": 100, "step": 5}),
    )
    status = forms.ChoiceField(label=_("状态"), choices=Measure.Status.choices, required=False)
    note = forms.CharField(
        label=_("进展说明"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("进度回退时必须填写原因"),
    )

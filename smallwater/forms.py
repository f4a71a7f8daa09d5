from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from smallwater.models import Classification


class InspectionForm(forms.Form):
    classification = forms.ChoiceField(label=_("排查分类"), choices=Classification.choices)
    inspected_on = forms.DateField(
        label=_("排查日期"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    note = forms.CharField(
        label=_("排查情况"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["inspected_on"].initial = timezone.localdate()


class PhotoForm(forms.Form):
    photo = forms.FileField(label=_("照片"))
    caption = forms.CharField(label=pgettext_lazy("photo", "说明"), max_length=200, required=False)

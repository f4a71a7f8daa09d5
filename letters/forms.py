from django import forms
from django.utils.translation import gettext_lazy as _

from core.models import Region
from letters import templating


class BatchCreateForm(forms.Form):
    month = forms.DateField(
        label=_("月份"),
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )
    town = forms.ModelChoiceField(label=_("镇/街道"), queryset=Region.objects.none())

    def __init__(self, *args, towns=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["town"].queryset = towns if towns is not None else Region.objects.none()
        if towns is not None and len(towns) == 1:
            self.fields["town"].initial = towns[0]
            self.fields["town"].widget = forms.HiddenInput()


class TemplateForm(forms.Form):
    subject = forms.CharField(label=_("标题模板"), max_length=300)
    body = forms.CharField(
        label=_("正文模板"),
        widget=forms.Textarea(attrs={"rows": 28, "spellcheck": "false"}),
        help_text=_("Django 模板语法；可用字段见右侧"),
    )

    @staticmethod
    def fields_help() -> list[str]:
        return templating.field_names()

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import Region
from public.models import Article, Category
from rivers.models import Chief


class ReportForm(forms.Form):
    category = forms.ChoiceField(label=_("问题类型"), choices=Category.choices)
    text = forms.CharField(
        label=_("问题描述"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000
    )
    location = forms.CharField(label=_("位置描述"), max_length=200, required=False)
    latitude = forms.DecimalField(widget=forms.HiddenInput, required=False)
    longitude = forms.DecimalField(widget=forms.HiddenInput, required=False)
    contact_name = forms.CharField(label=_("联系人（选填）"), max_length=50, required=False)
    contact_phone = forms.CharField(
        label=_("联系电话（选填，仅河长办可见）"), max_length=30, required=False
    )
    # A field people never see: robots fill it in.
    website = forms.CharField(required=False, label=_("网址"))


class ReceiptLookupForm(forms.Form):
    receipt = forms.CharField(label=_("回执编号"), max_length=20)


class ToOrderForm(forms.Form):
    deadline = forms.DateField(
        label=_("整改期限"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    target_village = forms.ModelChoiceField(
        label=_("责任村"), queryset=Region.objects.none(), required=False
    )
    target_chief = forms.ModelChoiceField(
        label=_("责任河长"), queryset=Chief.objects.none(), required=False
    )
    requirement = forms.CharField(
        label=_("整改要求"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args, town: Region, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target_village"].queryset = Region.objects.filter(
            parent=town, kind=Region.Kind.VILLAGE
        ).order_by("code")
        self.fields["target_chief"].queryset = (
            Chief.objects.active().filter(region__code__startswith=town.code).select_related("user")
        )
        self.fields["deadline"].initial = timezone.localdate() + timedelta(days=7)


class CloseForm(forms.Form):
    reason = forms.CharField(
        label=_("办结说明（举报人可见）"), widget=forms.Textarea(attrs={"rows": 2})
    )


class ArticleForm(forms.ModelForm):
    class Meta:
        model = Article
        fields = ["title", "summary", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 12})}


class OfficeContactForm(forms.Form):
    phone = forms.CharField(label=_("监督电话"), max_length=30)
    address = forms.CharField(label=_("办公地址"), max_length=200, required=False)

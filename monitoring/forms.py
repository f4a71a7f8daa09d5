from datetime import date
from functools import lru_cache

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core.models import Region, User
from core.scoping import visible_regions
from core.widgets import LongSelect
from monitoring.periods import Period

ONLY_CHOICES = [
    ("", _("全部河道")),
    ("worse_than_v", _("仅劣Ⅴ类")),
    ("off_target", _("仅未达标")),
    ("black_odour", _("仅黑臭")),
]


def period_choices(today: date, *, years: int = 10) -> list[tuple[str, str]]:
    """Recent months, quarters and years, newest first, back to the demo's 2018."""
    return _period_choices(today, years, get_language())


@lru_cache(maxsize=16)
def _period_choices(today: date, years: int, _language: str) -> list[tuple[str, str]]:
    # Remembered per day and language: naming 170 periods was a sixth of the water-quality
    # page's Python, the same on every request of the day.
    months, quarters = [], []
    for back in range(12 * years):
        y, m = divmod(today.year * 12 + today.month - 1 - back, 12)
        months.append(Period.month(y, m + 1))
    seen = set()
    for p in months:
        q = Period.quarter(p.start.year, (p.start.month - 1) // 3 + 1)
        if q.key not in seen:
            seen.add(q.key)
            quarters.append(q)
    year_list = [Period.year(today.year - i) for i in range(years)]
    return [
        (_("年"), [(p.key, str(p)) for p in year_list]),
        (_("季度"), [(p.key, str(p)) for p in quarters]),
        (_("月"), [(p.key, str(p)) for p in months]),
    ]


class RiverFilterForm(forms.Form):
    # Rendered in Python (core/widgets.py): 170 periods through the stock widget's templates
    # were a third of the water-quality page's time.
    period = forms.ChoiceField(label=_("期间"), required=False, widget=LongSelect)
    village = forms.ModelChoiceField(
        label=_("村/居委"),
        queryset=Region.objects.none(),
        required=False,
        to_field_name="code",
        empty_label=_("全部"),
        widget=LongSelect(label_field="name"),  # a region is shown by its name
    )
    only = forms.ChoiceField(label=_("范围"), choices=ONLY_CHOICES, required=False)

    def __init__(self, *args, user: User, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = visible_regions(user).filter(kind=Region.Kind.VILLAGE)
        self.fields["period"].choices = period_choices(today)

    def clean_period(self):
        value = self.cleaned_data.get("period")
        return Period.parse(value) if value else None


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("化验单文件"),
        help_text=_("CSV 或 .xlsx；表头写中文名称和单位，如“氨氮(mg/L)”“透明度(cm)”“水温(℃)”"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )

"""The inputs written in Python (core.widgets.PlainInput) write what Django's input.html
template writes: attributes in their order, True bare, False left out, values escaped."""

import pytest
from django import forms
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from core.widgets import LookupInput, PlainNumberInput, PlainTextInput

ATTRS = [
    {},
    {"id": "id_x", "placeholder": _("河道名称或编码")},
    {"required": True, "disabled": False, "data-x": '"><script>', "min": 0, "none": None},
    {"aria-invalid": "true", "title": mark_safe("<b>safe</b>"), "type": "month"},
]
VALUES = [None, "", "2018-03", '"><img src=x>', 2024, 0, mark_safe("<i>")]


@pytest.mark.parametrize("attrs", ATTRS)
@pytest.mark.parametrize("value", VALUES)
@pytest.mark.parametrize(
    ("plain", "stock"),
    [(PlainTextInput, forms.TextInput), (PlainNumberInput, forms.NumberInput)],
)
def test_a_plain_input_writes_what_the_template_writes(plain, stock, attrs, value):
    made = {k: v for k, v in attrs.items() if k != "type"}
    kind = {"type": attrs["type"]} if "type" in attrs else {}
    assert plain(attrs={**kind, **made}).render("f", value, {"id": "id_f"}) == stock(
        attrs={**kind, **made}
    ).render("f", value, {"id": "id_f"})


def test_the_lookup_box_is_the_search_input_the_template_wrote():
    box = LookupInput(lookup="river-list", attrs={"placeholder": "名称"})
    html = box.render("river", '"x', {"id": "id_river"})
    assert html == (
        '<input type="search" name="river" value="&quot;x" placeholder="名称" id="id_river"'
        ' list="id_river-options" data-lookup="/api/v1/rivers/" autocomplete="off">'
        '<datalist id="id_river-options"></datalist>'
    )

"""Form widgets the pages share."""

from html import escape

from django import forms
from django.forms.utils import flatatt
from django.utils.safestring import SafeData, mark_safe


class LongSelect(forms.Select):
    """A ``<select>`` of thousands of options (a town's 2,500 rivers), rendered in Python.

    Django's ``Select`` renders every option through a template: about a millisecond each,
    seconds for a town's rivers on every list page that offers the filter. This writes the
    same markup (optgroups included) directly: the options cost what reading them costs.
    """

    def __init__(self, attrs=None, choices=(), *, label_field: str | None = None):
        super().__init__(attrs, choices)
        self.label_field = label_field

    def render(self, name, value, attrs=None, renderer=None):
        selected = set(self.format_value(value))
        attrs = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        if self.allow_multiple_selected:
            attrs["multiple"] = True
        parts = []
        for group, choices in self._groups():
            options = "".join(self._option(v, label, selected) for v, label in choices)
            if group is None:
                parts.append(options)
            else:
                parts.append(f'<optgroup label="{escape(str(group))}">{options}</optgroup>')
        return mark_safe(f"<select{flatatt(attrs)}>{''.join(parts)}</select>")

    def _groups(self):
        queryset = getattr(self.choices, "queryset", None)
        if self.label_field and queryset is not None:
            # A model's choices labelled by one of its columns: the pairs straight from the
            # database, without building a model instance per option.
            if self.choices.field.empty_label is not None:
                yield None, [("", self.choices.field.empty_label)]
            key = self.choices.field.to_field_name or "pk"
            yield None, queryset.values_list(key, self.label_field)
            return
        for option_value, option_label in self.choices:
            if isinstance(option_label, list | tuple):
                yield option_value, option_label
            else:
                yield None, [(option_value, option_label)]

    @staticmethod
    def _option(value, label, selected: set[str]) -> str:
        # html.escape rather than format_html: the same escaping, a tenth of the cost per option.
        text = "" if value is None else str(value)
        mark = " selected" if text in selected else ""
        return f'<option value="{escape(text)}"{mark}>{escape(str(label))}</option>'


def attributes(attrs: dict) -> str:
    """Attributes as Django's ``django/forms/widgets/attrs.html`` writes them: in their order
    (``flatatt`` sorts them), a True one bare, a False one left out, each value escaped
    unless marked safe (the template's ``stringformat`` keeps a safe value safe)."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            parts.append(f" {escape(str(name))}")
        else:
            text = str(value) if isinstance(value, SafeData) else escape(str(value))
            parts.append(f' {escape(str(name))}="{text}"')
    return "".join(parts)


class PlainInput(forms.widgets.Input):
    """An ``<input>`` written in Python: the same markup as Django's ``input.html`` template,
    without a template render per field (four of a list's filter boxes were a tenth of the
    patrol list's Python)."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        value = widget["value"]
        shown = ""
        if value is not None:
            text = str(value) if isinstance(value, SafeData) else escape(str(value))
            shown = f' value="{text}"'
        return mark_safe(
            f'<input type="{escape(str(widget["type"]))}" name="{escape(str(widget["name"]))}"'
            f"{shown}{attributes(widget['attrs'])}>"
        )


class PlainTextInput(PlainInput, forms.TextInput):
    pass


class PlainNumberInput(PlainInput, forms.NumberInput):
    pass


class LookupInput(PlainTextInput):
    """A search box for one of thousands of records (a town's 2,500 rivers), instead of a
    ``<select>`` that sends every one of them with every page.

    ``static/js/lookup.js`` fills the box's ``<datalist>`` as the user types, from a JSON list
    the user may read (``lookup``: a URL name, asked ``?q=…&page_size=20``; each result's
    ``code`` is offered, labelled with its ``name``). The box sends what it holds; the field
    (:class:`core.filters.RecordChoiceField`) takes an id, a code or a name only one record has.
    """

    input_type = "search"

    def __init__(self, attrs=None, *, lookup: str):
        super().__init__(attrs)
        self.lookup = lookup

    def render(self, name, value, attrs=None, renderer=None):
        from django.urls import reverse

        attrs = {**(attrs or {})}
        options = f"{attrs.get('id') or 'id_' + name}-options"
        attrs.update({"list": options, "data-lookup": reverse(self.lookup), "autocomplete": "off"})
        box = super().render(name, value, attrs, renderer)
        return mark_safe(f'{box}<datalist id="{escape(options)}"></datalist>')

"""Form fields shared by every package's forms."""

from django import forms
from django.forms.models import ModelChoiceIterator
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from core.models import Province
from core.text import vi_sort_key


class _VietnameseOrder(ModelChoiceIterator):
    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        # 34 rows: sorted here, by the Vietnamese alphabet, whatever the database's collation.
        for obj in sorted(self.queryset, key=lambda obj: vi_sort_key(str(obj))):
            yield self.choice(obj)


class ProvinceChoiceField(forms.ModelChoiceField):
    """A current province, listed in Vietnamese alphabetical order."""

    iterator = _VietnameseOrder

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", Province.objects.all())
        super().__init__(**kwargs)


class QuickSelect(forms.Select):
    """A ``<select>`` written in Python, same markup as Django's template. The template renderer
    takes ≈ 0.1 ms per ``<option>``; the province and product-set lists alone have 60, which
    made the filter form the dearest part of the listing page."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        options = []
        for group_name, group_options, _index in widget["optgroups"]:
            rendered = [
                format_html(
                    '<option value="{}"{}>{}</option>',
                    option["value"],
                    flatatt(option["attrs"]),
                    option["label"],
                )
                for option in group_options
            ]
            if group_name:
                options.append(
                    format_html('<optgroup label="{}">', group_name)
                    + mark_safe("\n".join(rendered))
                    + mark_safe("</optgroup>")
                )
            else:
                options.extend(rendered)
        return format_html(
            '<select name="{}"{}>\n{}\n</select>',
            widget["name"],
            flatatt(widget["attrs"]),
            mark_safe("\n".join(options)),
        )

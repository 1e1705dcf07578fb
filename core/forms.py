"""Form fields shared by every package's forms."""

from django import forms
from django.forms.models import ModelChoiceIterator

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

"""Prices typed the Vietnamese way become whole đồng; anything with a decimal part is refused."""

import pytest
from django import forms

from marketplace.offers.forms import VndField


@pytest.mark.parametrize(
    ("typed", "dong"),
    [
        ("125000", 125_000),
        ("125.000", 125_000),
        ("1.250.000", 1_250_000),
        ("1.250.000 ₫", 1_250_000),
        ("125000đ", 125_000),
        ("125 000", 125_000),
        ("125\u00a0000 VND", 125_000),
        ("", None),
    ],
)
def test_vietnamese_prices_parse(typed, dong):
    assert VndField(required=False).clean(typed) == dong


@pytest.mark.parametrize(
    "typed", ["12,5", "1500.5", "12.50", "1,000", "1.25.000", "-5000", "abc", "1e6", "9" * 21]
)
def test_non_integers_are_refused(typed):
    with pytest.raises(forms.ValidationError) as caught:
        VndField().clean(typed)
    assert caught.value.code == "invalid"

"""Vietnamese alphabetical order (issue 15: province lists sorted by code points put "Huế"
before "Hà Nội" and Đ after V)."""

import re

import pytest

from core.text import vi_sort_key


def test_letters_follow_the_vietnamese_alphabet_and_tones_come_second():
    names = [
        "Vĩnh Long",
        "Đồng Tháp",
        "Huế",
        "Hà Nội",
        "Hà Tĩnh",
        "Điện Biên",
        "Ăn",
        "Ân",
        "An",
        "Bắc Ninh",
        "Ơ",
        "Ô",
        "O",
        "ư",
        "u",
        "Hà",
        "Há",
        "Hả",
        "Hạ",
        "Hã",
        "Ha",
    ]
    assert sorted(names, key=vi_sort_key) == [
        "An",
        "Ăn",
        "Ân",
        "Bắc Ninh",
        "Điện Biên",
        "Đồng Tháp",
        "Ha",
        "Hà",
        "Hả",
        "Hã",
        "Há",
        "Hạ",
        "Hà Nội",
        "Hà Tĩnh",
        "Huế",
        "O",
        "Ô",
        "Ơ",
        "u",
        "ư",
        "Vĩnh Long",
    ]


def test_case_and_normalisation_do_not_change_the_order():
    assert vi_sort_key("đà lạt") == vi_sort_key("ĐÀ LẠT")
    assert vi_sort_key("Hà Nội") == vi_sort_key("Ha\u0300 No\u0302\u0323i")


@pytest.mark.django_db
def test_checkout_province_list_is_in_vietnamese_order(client):
    from core.forms import ProvinceChoiceField

    labels = [label for value, label in ProvinceChoiceField().choices if value != ""]
    assert len(labels) == 34
    assert labels == sorted(labels, key=vi_sort_key)
    assert labels.index("Thành phố Hà Nội") < labels.index("Thành phố Huế")
    html = client.get("/san-pham/").content.decode()
    listed = re.findall(
        r'<option value="[a-z0-9-]+"[^>]*>((?:Thành phố|Tỉnh) [^<]+)</option>', html
    )
    assert listed == sorted(listed, key=vi_sort_key)

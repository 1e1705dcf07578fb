"""Product content by the holder: sanitised description and story, variants, and who may."""

import unicodedata
from decimal import Decimal

import pytest
from django.utils import translation

from catalog.content import (
    html_sanitise,
    product_content_update,
    product_variant_add,
    product_variant_remove,
    product_variant_update,
)
from catalog.models import Product, ProductVariant
from catalog.validators import gtin14, gtin_stored_forms
from sellers.errors import SellerError
from sellers.models import SellerStatus
from tests.factories import (
    BusinessFactory,
    MembershipFactory,
    OfferFactory,
    ProductFactory,
    ProductVariantFactory,
    ResaleAuthorizationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


# --- sanitisation ------------------------------------------------------------------------------


def test_scripts_styles_and_event_handlers_are_removed():
    dirty = (
        '<p onclick="steal()">Mật ong <strong onmouseover="x()">rừng</strong></p>'
        "<script>alert(document.cookie)</script><style>body{display:none}</style>"
        '<img src=x onerror="alert(1)"><iframe src="https://evil.example"></iframe>'
        '<a href="javascript:alert(1)">bấm</a>'
    )
    assert html_sanitise(dirty) == (
        '<p>Mật ong <strong>rừng</strong></p><a rel="nofollow noopener">bấm</a>'
    )


def test_allowed_tags_survive_and_links_get_rel():
    html = (
        "<p>Hũ <em>500 g</em><br>ngon</p><ul><li>một</li></ul><ol><li>hai</li></ol>"
        '<a href="https://ocop.gov.vn" target="_blank" rel="opener" class="x">OCOP</a>'
        '<h1>Tiêu đề</h1><div style="color:red">chữ</div>'
    )
    assert html_sanitise(html) == (
        "<p>Hũ <em>500 g</em><br>ngon</p><ul><li>một</li></ul><ol><li>hai</li></ol>"
        '<a href="https://ocop.gov.vn" rel="nofollow noopener">OCOP</a>Tiêu đềchữ'
    )


def test_plain_text_becomes_paragraphs_and_is_escaped():
    text = "Mật ong rừng\nTiên Yên\n\nGiá < 200.000 & ngon"
    assert html_sanitise(text) == (
        "<p>Mật ong rừng<br>Tiên Yên</p><p>Giá &lt; 200.000 &amp; ngon</p>"
    )


def test_text_is_nfc_normalised():
    decomposed = unicodedata.normalize("NFD", "Mật ong Đồng Tiến")
    assert decomposed != "Mật ong Đồng Tiến"
    assert html_sanitise(decomposed) == "<p>Mật ong Đồng Tiến</p>"


def test_blank_input_is_empty():
    assert html_sanitise("   \n ") == ""
    assert html_sanitise(None) == ""


# --- content update ----------------------------------------------------------------------------


@pytest.fixture
def holder_team():
    owner = MembershipFactory(role="owner")
    business = owner.business
    return {
        "business": business,
        "owner": owner.user,
        "manager": MembershipFactory(business=business, role="manager").user,
        "staff": MembershipFactory(business=business, role="staff").user,
        "product": ProductFactory(holder=business, description="<p>cũ</p>", story=""),
    }


@pytest.mark.parametrize("role", ["owner", "manager"])
def test_owner_and_manager_update_content(holder_team, role):
    product = product_content_update(
        actor=holder_team[role],
        product=holder_team["product"],
        description='<p onclick="x()">Mới</p><script>x()</script>',
        story="Ông bà tôi nuôi ong từ năm 1980.",
    )
    product.refresh_from_db()
    assert product.description == "<p>Mới</p>"
    assert product.story == "<p>Ông bà tôi nuôi ong từ năm 1980.</p>"


def test_none_leaves_a_field_alone(holder_team):
    product_content_update(actor=holder_team["owner"], product=holder_team["product"], story="Kể")
    product = Product.objects.get(pk=holder_team["product"].pk)
    assert (product.description, product.story) == ("<p>cũ</p>", "<p>Kể</p>")


def test_too_long_text_is_refused(holder_team):
    with pytest.raises(SellerError) as caught:
        product_content_update(
            actor=holder_team["owner"], product=holder_team["product"], description="a" * 20_001
        )
    assert (caught.value.code, caught.value.field) == ("too_long", "description")
    assert Product.objects.get(pk=holder_team["product"].pk).description == "<p>cũ</p>"


def outsiders(product):
    """Everyone who must not edit ``product``'s content, by label."""
    reseller = BusinessFactory(status=SellerStatus.ACTIVE)
    ResaleAuthorizationFactory(product=product, reseller=reseller)
    return {
        "anonymous": None,
        "buyer": UserFactory(),
        "other seller": MembershipFactory(role="owner").user,
        "authorised reseller": MembershipFactory(business=reseller, role="owner").user,
        "holder staff": MembershipFactory(business=product.holder, role="staff").user,
        "site staff": UserFactory(is_staff=True, is_superuser=True),
    }


def test_permission_matrix_for_content_and_variants(holder_team):
    from django.contrib.auth.models import AnonymousUser

    product = holder_team["product"]
    variant = ProductVariantFactory(product=product, name="Hũ 500 g")
    for label, user in outsiders(product).items():
        actor = user or AnonymousUser()
        calls = [
            lambda a=actor: product_content_update(actor=a, product=product, description="x"),
            lambda a=actor: product_variant_add(actor=a, product=product, name="Chai 1 l"),
            lambda a=actor: product_variant_update(actor=a, variant=variant, name="Đổi"),
            lambda a=actor: product_variant_remove(actor=a, variant=variant),
        ]
        for call in calls:
            with pytest.raises(SellerError) as caught:
                call()
            assert caught.value.code == "permission_denied", label
    product.refresh_from_db()
    assert product.description == "<p>cũ</p>"
    assert list(product.variants.values_list("name", flat=True)) == ["Hũ 500 g"]


# --- variants ----------------------------------------------------------------------------------


def test_variant_add_update_remove(holder_team):
    product = holder_team["product"]
    variant = product_variant_add(
        actor=holder_team["manager"],
        product=product,
        name=" Hũ  500 g ",
        net_quantity="500",
        unit="g",
        gtin="8 934567 890120",
    )
    assert (variant.name, variant.net_quantity, variant.unit, variant.gtin, variant.position) == (
        "Hũ 500 g",
        Decimal("500.000"),
        "g",
        "8934567890120",
        0,
    )
    second = product_variant_add(actor=holder_team["owner"], product=product, name="Chai 0,75 l",
                                 net_quantity="0,75", unit="l")  # fmt: skip
    assert (second.net_quantity, second.position) == (Decimal("0.750"), 1)
    product_variant_update(
        actor=holder_team["owner"], variant=variant, name="Hũ 450 g", net_quantity="450", unit="g"
    )
    variant.refresh_from_db()
    assert (variant.name, variant.net_quantity, variant.gtin) == (
        "Hũ 450 g",
        Decimal("450.000"),
        "",
    )
    product_variant_remove(actor=holder_team["owner"], variant=second)
    assert list(product.variants.values_list("name", flat=True)) == ["Hũ 450 g"]


@pytest.mark.parametrize(
    ("fields", "code", "field"),
    [
        ({"name": ""}, "required", "name"),
        ({"name": "x" * 121}, "too_long", "name"),
        ({"name": "Hũ", "gtin": "8934567890127"}, "gtin_check_digit", "gtin"),
        ({"name": "Hũ", "gtin": "12345"}, "gtin_format", "gtin"),
        # 8934567890120 in full-width digits: digits to str.isdigit(), not to a scanner.
        ({"name": "Hũ", "gtin": "８９３４５６７８９０１２０"}, "gtin_format", "gtin"),
        ({"name": "Hũ", "net_quantity": "abc", "unit": "g"}, "invalid", "net_quantity"),
        ({"name": "Hũ", "net_quantity": "-1", "unit": "g"}, "out_of_range", "net_quantity"),
        ({"name": "Hũ", "net_quantity": "1.2345", "unit": "g"}, "invalid", "net_quantity"),
        ({"name": "Hũ", "net_quantity": "500"}, "required", "unit"),
        ({"name": "Hũ", "unit": "tấn"}, "invalid", "unit"),
    ],
)
def test_variant_input_is_checked(holder_team, fields, code, field):
    with pytest.raises(SellerError) as caught:
        product_variant_add(actor=holder_team["owner"], product=holder_team["product"], **fields)
    assert (caught.value.code, caught.value.field) == (code, field)
    assert ProductVariant.objects.count() == 0


def test_wrong_gtin_check_digit_message_names_the_gtin(holder_team):
    # Services word their errors in the active language (the request's).
    with translation.override("en"), pytest.raises(SellerError) as caught:
        product_variant_add(
            actor=holder_team["owner"], product=holder_team["product"], name="Hũ",
            gtin="8934567890127",
        )  # fmt: skip
    assert str(caught.value.message) == "The check digit of GTIN 8934567890127 is wrong."


def test_duplicate_name_and_gtin_are_refused(holder_team):
    product = holder_team["product"]
    product_variant_add(
        actor=holder_team["owner"], product=product, name="Hũ", gtin="8934567890120"
    )
    with pytest.raises(SellerError) as caught:
        product_variant_add(actor=holder_team["owner"], product=product, name="Hũ")
    assert (caught.value.code, caught.value.field) == ("duplicate", "name")
    other = ProductFactory(holder=product.holder)
    with pytest.raises(SellerError) as caught:
        product_variant_add(
            actor=holder_team["owner"], product=other, name="Chai", gtin="8934567890120"
        )
    assert (caught.value.code, caught.value.field) == ("duplicate", "gtin")
    assert ProductVariant.objects.count() == 1


def test_a_variant_with_offers_cannot_be_removed(holder_team):
    product = holder_team["product"]
    variant = ProductVariantFactory(product=product, name="Hũ 500 g")
    OfferFactory(variant=variant)
    with translation.override("en"), pytest.raises(SellerError) as caught:
        product_variant_remove(actor=holder_team["owner"], variant=variant)
    assert (caught.value.code, caught.value.field) == ("in_use", "variant")
    assert str(caught.value.message) == (
        "“Hũ 500 g” is on sale in at least one offer; delete those offers first."
    )
    assert ProductVariant.objects.filter(pk=variant.pk).exists()


@pytest.mark.parametrize(
    ("given", "padded", "stored"),
    [
        ("12345670", "00000012345670", {"12345670", "000012345670", "0000012345670"}),
        ("8930000000012", "08930000000012", {"8930000000012"}),
        ("08930000000012", "08930000000012", {"8930000000012"}),
        ("18930000000019", "18930000000019", set()),
    ],
)
def test_gtin14_pads_every_length_and_lookups_match_every_stored_form(given, padded, stored):
    assert gtin14(given) == padded
    assert gtin_stored_forms(given) == {padded} | stored

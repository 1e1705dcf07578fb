"""The demo loader: real Quảng Ninh names from the 2017 plan, invented scores, all flagged demo.

The expected counts were worked out by hand from catalog/data/demo/*.csv:
- businesses 36: 31 distinct producers in the district file (28 of its 31 chains name one or more)
  plus 5 organisations only the value-chain file names (the value-chain file's other 11
  spellings are producers already met: "Công ty cổ phần thủy sản Cái Rồng", "Hội SX KD chả mực
  Hạ Long", "HTX phát triển xanh- Bình Liêu", "Công ty TNHH Quang Vinh", …);
- products 57: 49 producer × form pairs of the district file + 8 value-chain pairings of
  demo-products.csv; chains without a producer (Hoa Hoành Bồ, Ruốc Hàu, Cá duội) are left out;
- variants 95 (one or two packs each), 8 of them with a demo GTIN-13.
"""

import datetime
from collections import Counter
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from catalog.demo import (
    CAM_VAN_YEN_CHOICES,
    demo_plan,
    producer_key,
    product_set_guess,
    product_table_read,
)
from catalog.models import (
    Certificate,
    CertificateStatus,
    Decision,
    Evaluation,
    EvaluationChoice,
    EvaluationPart,
    Product,
    ProductVariant,
    RevocationGround,
)
from catalog.validators import validate_gtin
from sellers.models import Business, LegalType, legal_type_from_name

BUSINESSES = 36
PRODUCTS = 57
VARIANTS = 95
DECISIONS = 5
EVALUATIONS = 18
CERTIFICATES = {"active": 12, "expired": 3, "revoked": 1, "superseded": 1}


def load() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def snapshot() -> dict[str, list[dict]]:
    models = [
        Business,
        Product,
        ProductVariant,
        Decision,
        Evaluation,
        EvaluationPart,
        EvaluationChoice,
        Certificate,
    ]
    return {m.__name__: list(m.objects.order_by("pk").values()) for m in models}


@pytest.fixture
def demo(db):
    return load()


# -- pure reading of the files (no database) -------------------------------------------------


def test_plan_counts_match_the_files():
    plan = demo_plan()
    assert len(plan.producers) == BUSINESSES
    assert len(plan.products) == PRODUCTS
    assert plan.skipped_chains == ["Hoa Hoành Bồ", "Ruốc Hàu", "Cá duội"]


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Công ty CP thủy sản Cái Rồng", "Công ty cổ phần thủy sản Cái Rồng"),
        ("Công ty CP thủy sản Cái Rồng", "Công ty Cổ phần thủy sản Cái Rồng"),
        ("Hội Sản xuất và kinh doanh chả mực Hạ Long", "Hội SX KD chả mực Hạ Long"),
        (
            "Công ty TNHH nuôi trồng sản xuất và chế biến dược liệu Đông Bắc",
            "Công ty TNHH nuôi trồng SX và chế biến dược liệu Đông Bắc",
        ),
        ("HTX Thảo dược Yên Tử", "HTX thảo dược Yên Tử"),
        ("HTX phát triển xanh", "HTX phát triển xanh- Bình Liêu"),
        ("Công ty TNHH gốm sứ Quang Vinh", "Công ty TNHH Quang Vinh"),
    ],
)
def test_one_producer_spelled_two_ways_is_one_key(a, b):
    assert producer_key(a) == producer_key(b)


def test_different_producers_keep_different_keys():
    # Same brand word, different businesses (a wine maker in Uông Bí, a potter in Đông Triều).
    assert producer_key("Cơ sở sản xuất rượu mơ Quang Vinh") != producer_key(
        "Công ty TNHH gốm sứ Quang Vinh"
    )


@pytest.mark.parametrize(
    ("name", "legal_type"),
    [
        ("HTX Nông trang Vạn Yên", LegalType.COOPERATIVE),
        ("Hợp tác xã gà Phong Dụ", LegalType.COOPERATIVE),
        ("Công ty CP nấm Thịnh Phát", LegalType.ENTERPRISE),
        ("CT CP thương mại và dịch vụ Bình Liêu", LegalType.ENTERPRISE),
        ("DNTN-Xí nghiệp bia Thăng Long", LegalType.PRIVATE_ENTERPRISE),
        ("Cơ sở Thanh Măng", LegalType.PRODUCTION_FACILITY),
        ("Hội Sản xuất và kinh doanh chả mực Hạ Long", LegalType.ASSOCIATION),
        ("Tổ hợp tác rau sạch", LegalType.COOPERATIVE_GROUP),
        ("Hộ kinh doanh Lan", LegalType.HOUSEHOLD),
        ("Hồ sen Quan Lạn", LegalType.OTHER),
    ],
)
def test_legal_type_from_name(name, legal_type):
    assert legal_type_from_name(name) == legal_type


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("Mật ong nguyên chất Mật ong Tiên Yên", 4),
        ("Chè khô Chè Đường Hoa", 11),
        ("Trà túi lọc Nấm Linh chi", 12),
        ("Rượu đóng chai Rượu Bâu men lá", 14),
        ("Rượu đóng chai Rượu mơ Yên Tử", 15),
        ("Nước mắm đóng chai Nước mắm sá sùng Cái Rồng", 9),
        ("Lọ tinh dầu Tinh dầu Trầu tiên Yên Tử", 20),
        ("Viên giải rượu Nhóm thảo dược", 18),
        ("Nhóm trang trí Gốm sứ Quang Vinh", 21),
        ("Các sản phẩm trang sức Ngọc Trai Hạ Long", 21),
        ("Hoa tươi Hoa Hoành Bồ", 23),
        ("Quả tươi Cam Vạn Yên", 1),
        ("Rau mầm tươi Rau mầm Song Hành", 1),
        ("Giò lụa Lợn Móng Cái", 8),
        ("Thịt tươi Gà Tiên Yên", 2),
        ("Miến đóng gói Miến dong Bình Liêu", 6),
    ],
)
def test_product_set_by_keyword(text, number):
    assert product_set_guess(text) == number


def test_keywords_agree_with_every_set_in_the_product_table():
    table = product_table_read()
    assert table.district and table.value_chain
    for (chain, form), spec in table.district.items():
        assert product_set_guess(f"{form} {chain}") == spec.set_number, (chain, form)
    for item in table.value_chain:
        assert product_set_guess(f"{item.form} {item.chain}") == item.spec.set_number, item


# -- loading -----------------------------------------------------------------------------------


def test_load_creates_the_demo_catalogue(demo):
    assert Business.objects.count() == BUSINESSES
    assert Product.objects.count() == PRODUCTS
    assert ProductVariant.objects.count() == VARIANTS
    assert Decision.objects.count() == DECISIONS
    assert Evaluation.objects.count() == EVALUATIONS
    statuses = Counter(Certificate.objects.values_list("status", flat=True))
    assert dict(statuses) == CERTIFICATES
    assert "businesses:   36 (36 new)" in demo
    assert "products:     57 (57 new)" in demo


def test_everything_is_flagged_demo(demo):
    for model in (Business, Product, Decision, Evaluation, Certificate):
        assert model.objects.count() > 0
        assert not model.objects.filter(is_demo=False).exists(), model.__name__
    assert all(d.number.startswith("DEMO-") for d in Decision.objects.all())


def test_businesses_from_real_names_with_legacy_address(demo):
    legal_types = Counter(Business.objects.values_list("legal_type", flat=True))
    assert legal_types == {
        LegalType.ENTERPRISE: 16,
        LegalType.COOPERATIVE: 11,
        LegalType.PRODUCTION_FACILITY: 7,
        LegalType.PRIVATE_ENTERPRISE: 1,
        LegalType.ASSOCIATION: 1,
    }
    assert set(Business.objects.values_list("province__code", flat=True)) == {"22"}
    phong_du = Business.objects.get(name="Hợp tác xã gà Phong Dụ")
    assert phong_du.legacy_address == ("huyện Tiên Yên, tỉnh Quảng Ninh (địa chỉ theo đề án 2017)")
    assert phong_du.legacy_province.name == "Tỉnh Quảng Ninh"
    assert phong_du.slug == "hop-tac-xa-ga-phong-du"
    # Named only in the value-chain file: the district comes from the name, or is not known.
    assert Business.objects.get(name="HTX Dược liệu xanh Đông Triều").legacy_address.startswith(
        "thị xã Đông Triều, "
    )
    assert (
        Business.objects.get(name="Cơ sở SX-KD Quân Nguyên").legacy_address
        == "tỉnh Quảng Ninh (địa chỉ theo đề án 2017)"
    )
    # The same producer in both files is one business, under the district file's spelling.
    assert Business.objects.filter(name__icontains="thủy sản Cái Rồng").count() == 1
    assert Business.objects.filter(name__icontains="chả mực Hạ Long").count() == 1
    dap_thanh = Business.objects.get(name="Công ty CP kinh doanh lâm sản Đạp Thanh")
    assert dap_thanh.products.count() == 6  # 3 ba kích forms + 3 trà hoa vàng forms


def test_products_with_sets_and_packs(demo):
    def product(name, holder=None):
        qs = Product.objects.filter(name=name)
        return qs.get(holder__name=holder) if holder else qs.get()

    assert product("Mật ong Tiên Yên").product_set.number == 4
    assert product("Mật ong Tiên Yên").product_set.framework.code == "QD26-2026"
    assert product("Nước mắm sá sùng Cái Rồng").product_set.number == 9
    assert product("Rượu Bâu men lá Hoành Bồ").product_set.number == 14
    assert product("Gốm sứ trang trí Quang Vinh").product_set.number == 21
    assert product("Cam Vạn Yên").product_set.number == 1
    # Two producers of one chain: two products of the same name, distinct slugs.
    ba_kich = Product.objects.filter(name="Ba kích khô Ba Chẽ")
    assert ba_kich.count() == 2
    assert len({p.slug for p in ba_kich}) == 2
    honey = product("Mật ong Tiên Yên")
    assert [(v.name, v.net_quantity, v.unit) for v in honey.variants.all()] == [
        ("Hũ 500 g", Decimal("500.000"), "g"),
        ("Hũ 1 kg", Decimal("1.000"), "kg"),
    ]
    gtins = list(ProductVariant.objects.exclude(gtin="").values_list("gtin", flat=True))
    assert len(gtins) == 8
    for gtin in gtins:
        validate_gtin(gtin)
        assert len(gtin) == 13 and gtin.startswith("893")
    assert honey.variants.first().gtin == "8930000000019"
    # No producer named in either file: no product, no invented holder.
    assert not Product.objects.filter(name__icontains="Cá duội").exists()
    assert not Product.objects.filter(name__icontains="Hoa tươi").exists()


def test_stars_follow_the_bands(demo):
    for evaluation in Evaluation.objects.all():
        total = evaluation.total_score
        band = 5 if total >= 90 else 4 if total >= 70 else 3 if total >= 50 else 2
        assert evaluation.band_stars == band, evaluation
        parts = sum(p.score for p in evaluation.parts.all())
        assert parts == total, evaluation
    active = Certificate.objects.filter(status=CertificateStatus.ACTIVE)
    assert set(active.values_list("stars", flat=True)) == {3, 4, 5}
    for certificate in Certificate.objects.select_related("evaluation", "decision"):
        assert certificate.stars == certificate.evaluation.stars
        assert certificate.valid_from == certificate.decision.date
    # ★5 is recognised centrally, ★3–★4 by the province.
    for certificate in Certificate.objects.filter(stars=5).select_related("evaluation"):
        assert certificate.evaluation.level == "central"
    # A ★2 pre-review gets no certificate.
    two = Evaluation.objects.get(stars=2)
    assert two.level == "commune" and two.decision is None
    assert not Certificate.objects.filter(evaluation=two).exists()


def test_per_criterion_sheet_with_a_minimum_requirement_cap(demo):
    evaluation = Evaluation.objects.get(product__name="Cam Vạn Yên")
    assert evaluation.total_score == Decimal("71.00")
    assert evaluation.band_stars == 4
    assert evaluation.stars == 3
    assert [(c["criterion"], c["min_star"], c["capped_to"]) for c in evaluation.caps_applied] == [
        ("2.3", 4, 3)
    ]
    assert evaluation.choices.count() == len(CAM_VAN_YEN_CHOICES) == 32
    assert {p.part.code: p.score for p in evaluation.parts.all()} == {
        "A": Decimal("29.00"),
        "B": Decimal("18.00"),
        "C": Decimal("24.00"),
    }
    assert evaluation.certificate.stars == 3
    assert evaluation.framework.code == "QD26-2026"


def test_expired_revoked_superseded(demo):
    today = timezone.localdate()
    expired = Certificate.objects.filter(status=CertificateStatus.EXPIRED)
    assert expired.count() == 3
    for certificate in expired:
        assert certificate.valid_until < today
        assert certificate.decision.date < today - datetime.timedelta(days=36 * 30)
    # The honey's 2023 certificate expired; its 2025 upgrade to ★4 is the one in force.
    honey = Certificate.objects.filter(product__name="Mật ong Tiên Yên").order_by("valid_from")
    assert [(c.stars, c.status) for c in honey] == [(3, "expired"), (4, "active")]

    revoked = Certificate.objects.get(status=CertificateStatus.REVOKED)
    assert revoked.product.name == "Trứng vịt biển Đồng Rui"
    assert revoked.revocation_ground == RevocationGround.MARK_MISUSE
    assert "demo" in revoked.revocation_note

    old, new = Certificate.objects.filter(product__name="Rau mầm Song Hành").order_by("valid_from")
    assert (old.stars, old.status) == (3, CertificateStatus.SUPERSEDED)
    assert (new.stars, new.status) == (4, CertificateStatus.ACTIVE)
    assert old.superseded_by == new
    assert new.evaluation.caps_applied == []


def test_second_run_changes_nothing(demo):
    before = snapshot()
    output = load()
    assert snapshot() == before
    assert "(0 new)" in output
    assert "businesses:   36 (0 new)" in output

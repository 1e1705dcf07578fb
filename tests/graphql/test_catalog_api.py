"""The registry through /graphql/: products, certificates, scoring records, businesses."""

import datetime
import unicodedata

import pytest
from graphql_relay import to_global_id

from catalog.models import Certificate, CertificateStatus, RevocationGround
from tests.factories import (
    SET01_CAPPED_CHOICES,
    BusinessFactory,
    DecisionFactory,
    ProductFactory,
    ProductVariantFactory,
    certified_product,
    product_set,
    province,
    revoke_certificate,
    scored_product,
)

pytestmark = pytest.mark.django_db

ISSUE_QUERY = """
{ products(first: 50) { totalCount edges { node { name slug holder { name }
  currentCertificate { stars validUntil status decisionNumber
    evaluation { totalScore framework level parts { code maxScore score } sourceUrl } } } } } }
"""

LIST = """
query ($text: String, $province: String, $stars: Int, $productSet: Int, $category: String,
       $certificateStatus: CertificateStatus, $ordering: ProductOrdering) {
  products(text: $text, province: $province, stars: $stars, productSet: $productSet,
           category: $category, certificateStatus: $certificateStatus, ordering: $ordering) {
    totalCount edges { node { name } }
  }
}
"""


def names(data):
    return [edge["node"]["name"] for edge in data["products"]["edges"]]


def expired_product(name="Trà hoa vàng Ba Chẽ", **kwargs):
    """A product recognised in 2022 whose 36 months ran out in March 2025."""
    decision = DecisionFactory(date=datetime.date(2022, 3, 1), number="512/QĐ-UBND")
    return certified_product(total="65.00", decision=decision, name=name, **kwargs)


def test_issue_query_lists_products_in_force_with_their_scoring_record(gql):
    holder = BusinessFactory(name="HTX Mật ong Tiên Yên")
    decision = DecisionFactory(number="3981/QĐ-UBND")
    certified_product(
        total="72.50",
        decision=decision,
        name="Mật ong Tiên Yên",
        holder=holder,
        parts={"A": "30.00", "B": "17.50", "C": "25.00"},
    )
    certified_product(
        total="69.25",
        decision=decision,
        name="Chả mực Hạ Long",
        holder=BusinessFactory(name="Hội chả mực Hạ Long"),
    )
    ProductFactory(name="Nước mắm chưa công nhận")  # never recognised
    expired_product()

    data = gql(ISSUE_QUERY)

    assert data == {
        "products": {
            "totalCount": 2,
            "edges": [
                {
                    "node": {
                        "name": "Chả mực Hạ Long",
                        "slug": "cha-muc-ha-long",
                        "holder": {"name": "Hội chả mực Hạ Long"},
                        "currentCertificate": {
                            "stars": 3,
                            "validUntil": "2029-08-05",
                            "status": "ACTIVE",
                            "decisionNumber": "3981/QĐ-UBND",
                            "evaluation": {
                                "totalScore": 69.25,
                                "framework": "QD26-2026",
                                "level": "PROVINCE",
                                "parts": [],
                                "sourceUrl": "https://ocop.quangninh.gov.vn/quyet-dinh/3981",
                            },
                        },
                    }
                },
                {
                    "node": {
                        "name": "Mật ong Tiên Yên",
                        "slug": "mat-ong-tien-yen",
                        "holder": {"name": "HTX Mật ong Tiên Yên"},
                        "currentCertificate": {
                            "stars": 4,
                            "validUntil": "2029-08-05",
                            "status": "ACTIVE",
                            "decisionNumber": "3981/QĐ-UBND",
                            "evaluation": {
                                "totalScore": 72.5,
                                "framework": "QD26-2026",
                                "level": "PROVINCE",
                                "parts": [
                                    {"code": "A", "maxScore": 40.0, "score": 30.0},
                                    {"code": "B", "maxScore": 25.0, "score": 17.5},
                                    {"code": "C", "maxScore": 35.0, "score": 25.0},
                                ],
                                "sourceUrl": "https://ocop.quangninh.gov.vn/quyet-dinh/3981",
                            },
                        },
                    }
                },
            ],
        }
    }


def test_text_filter_ignores_diacritics_and_matches_the_producer(gql):
    certified_product(name="Mật ong Tiên Yên", holder=BusinessFactory(name="HTX Đồng Tiến"))
    certified_product(name="Chả mực Hạ Long")

    assert names(gql(LIST, {"text": "mat ong tien yen"})) == ["Mật ong Tiên Yên"]
    assert names(gql(LIST, {"text": "dong tien"})) == ["Mật ong Tiên Yên"]
    assert names(gql(LIST, {"text": "MỰC"})) == ["Chả mực Hạ Long"]
    assert names(gql(LIST, {"text": "sâm"})) == []


def test_text_arguments_are_nfc_normalised_at_the_boundary(gql):
    certified_product(name="Mật ong Tiên Yên")
    decomposed = unicodedata.normalize("NFD", "Mật ong")
    assert decomposed != "Mật ong"

    assert names(gql(LIST, {"text": decomposed})) == ["Mật ong Tiên Yên"]
    literal = '{ products(text: "' + decomposed + '") { edges { node { name } } } }'
    assert names(gql(literal)) == ["Mật ong Tiên Yên"]


def test_province_filter_uses_the_current_province_slug(gql):
    certified_product(name="Chả mực Hạ Long", holder=BusinessFactory(province=province("22")))
    certified_product(name="Cốm làng Vòng", holder=BusinessFactory(province=province("01")))

    assert names(gql(LIST, {"province": "quang-ninh"})) == ["Chả mực Hạ Long"]
    assert names(gql(LIST, {"province": "ha-noi"})) == ["Cốm làng Vòng"]
    assert names(gql(LIST, {"province": "khong-co"})) == []


def test_stars_filter_reads_the_certificate_in_force(gql):
    certified_product(total="92.00", name="Năm sao")
    certified_product(total="75.00", name="Bốn sao")
    certified_product(total="60.00", name="Ba sao")
    expired_product(name="Hết hạn ba sao")

    assert names(gql(LIST, {"stars": 5})) == ["Năm sao"]
    assert names(gql(LIST, {"stars": 4})) == ["Bốn sao"]
    assert names(gql(LIST, {"stars": 3})) == ["Ba sao"]


def test_stars_outside_three_to_five_is_refused(gql):
    errors = gql.errors(LIST, {"stars": 2})
    assert errors[0]["message"] == "Only ★3–★5 products are recognised; `stars` must be 3, 4 or 5."
    assert errors[0]["extensions"] == {"code": "OUT_OF_RANGE"}


def test_product_set_and_category_filters(gql):
    certified_product(name="Bưởi Đoan Hùng", product_set=product_set(1))
    certified_product(name="Mật ong bạc hà", product_set=product_set(4))
    certified_product(name="Trà Shan tuyết", product_set=product_set(11))
    certified_product(name="Rượu mơ Yên Tử", product_set=product_set(14))

    assert names(gql(LIST, {"productSet": 1})) == ["Bưởi Đoan Hùng"]
    assert names(gql(LIST, {"productSet": 4})) == ["Mật ong bạc hà"]
    assert names(gql(LIST, {"category": "beverages"})) == ["Rượu mơ Yên Tử"]
    # Tea is in the food group (Appendix I of 148/2023 and 26/2026).
    assert names(gql(LIST, {"category": "food"})) == [
        "Bưởi Đoan Hùng",
        "Mật ong bạc hà",
        "Trà Shan tuyết",
    ]


def test_certificate_status_filter_looks_at_the_latest_certificate(gql):
    certified_product(name="Đang hiệu lực")
    expired_product(name="Đã hết hạn")
    _product, _evaluation, revoked = certified_product(name="Đã thu hồi")
    revoke_certificate(certificate=revoked, ground=RevocationGround.MARK_MISUSE)

    assert names(gql(LIST)) == ["Đang hiệu lực"]
    assert names(gql(LIST, {"certificateStatus": "ACTIVE"})) == ["Đang hiệu lực"]
    assert names(gql(LIST, {"certificateStatus": "EXPIRED"})) == ["Đã hết hạn"]
    assert names(gql(LIST, {"certificateStatus": "REVOKED"})) == ["Đã thu hồi"]
    assert names(gql(LIST, {"certificateStatus": "SUPERSEDED"})) == []


def test_orderings(gql):
    certified_product(
        total="75.00", name="Bốn sao cũ", decision=DecisionFactory(date=datetime.date(2025, 1, 10))
    )
    certified_product(
        total="88.00", name="Bốn sao mới", decision=DecisionFactory(date=datetime.date(2026, 9, 1))
    )
    certified_product(
        total="92.00", name="Năm sao", decision=DecisionFactory(date=datetime.date(2025, 6, 1))
    )
    certified_product(
        total="60.00", name="Ba sao", decision=DecisionFactory(date=datetime.date(2026, 2, 1))
    )

    assert names(gql(LIST)) == ["Ba sao", "Bốn sao cũ", "Bốn sao mới", "Năm sao"]
    assert names(gql(LIST, {"ordering": "NAME"})) == [
        "Ba sao",
        "Bốn sao cũ",
        "Bốn sao mới",
        "Năm sao",
    ]
    # Ties on stars fall back to the name.
    assert names(gql(LIST, {"ordering": "STARS"})) == [
        "Năm sao",
        "Bốn sao cũ",
        "Bốn sao mới",
        "Ba sao",
    ]
    assert names(gql(LIST, {"ordering": "NEWEST"})) == [
        "Bốn sao mới",
        "Ba sao",
        "Năm sao",
        "Bốn sao cũ",
    ]
    assert names(gql(LIST, {"ordering": "SCORE"})) == [
        "Năm sao",
        "Bốn sao mới",
        "Bốn sao cũ",
        "Ba sao",
    ]


def test_pagination_and_total_count(gql):
    for n in range(5):
        certified_product(name=f"Sản phẩm {n}")
    query = """query ($after: String) { products(first: 2, after: $after) {
        totalCount pageInfo { hasNextPage endCursor } edges { node { name } } } }"""

    first = gql(query)["products"]
    second = gql(query, {"after": first["pageInfo"]["endCursor"]})["products"]

    assert first["totalCount"] == second["totalCount"] == 5
    assert [e["node"]["name"] for e in first["edges"]] == ["Sản phẩm 0", "Sản phẩm 1"]
    assert [e["node"]["name"] for e in second["edges"]] == ["Sản phẩm 2", "Sản phẩm 3"]
    assert second["pageInfo"]["hasNextPage"] is True


PRODUCT = """
query ($id: ID, $slug: String) {
  product(id: $id, slug: $slug) {
    id name slug productCode isDemo description story
    productSet { number name category { slug } }
    holder { name }
    variants { name netQuantity unit gtin }
    currentCertificate { number status }
    certificates { number status stars validFrom validUntil }
    evaluations { evaluatedOn totalScore stars }
  }
}
"""


def test_product_by_id_and_by_slug(gql):
    product, _evaluation, certificate = certified_product(
        total="72.50",
        name="Mật ong Tiên Yên",
        product_code="22-193-0001-2026",
        story="Ong nuôi dưới tán rừng.",
    )
    ProductVariantFactory(product=product, name="Hũ 500 g", gtin="8936000000017")
    product_id = to_global_id("Product", product.pk)

    by_id = gql(PRODUCT, {"id": product_id})["product"]
    by_slug = gql(PRODUCT, {"slug": "mat-ong-tien-yen"})["product"]

    assert (
        by_id
        == by_slug
        == {
            "id": product_id,
            "name": "Mật ong Tiên Yên",
            "slug": "mat-ong-tien-yen",
            "productCode": "22-193-0001-2026",
            "isDemo": False,
            "description": "",
            "story": "Ong nuôi dưới tán rừng.",
            "productSet": {
                "number": 4,
                "name": "Mật ong, mật khác và nông sản thực phẩm khác",
                "category": {"slug": "food"},
            },
            "holder": {"name": product.holder.name},
            "variants": [
                {"name": "Hũ 500 g", "netQuantity": 500.0, "unit": "GRAM", "gtin": "8936000000017"}
            ],
            "currentCertificate": {"number": certificate.number, "status": "ACTIVE"},
            "certificates": [
                {
                    "number": certificate.number,
                    "status": "ACTIVE",
                    "stars": 4,
                    "validFrom": "2026-08-05",
                    "validUntil": "2029-08-05",
                }
            ],
            "evaluations": [{"evaluatedOn": "2026-07-16", "totalScore": 72.5, "stars": 4}],
        }
    )


def test_product_keeps_its_history_after_re_evaluation(gql):
    product, _old_evaluation, old = expired_product(name="Trà hoa vàng")
    _product, _new_evaluation, new = certified_product(total="91.00", product=product)

    data = gql(PRODUCT, {"slug": product.slug})["product"]

    assert data["currentCertificate"] == {"number": new.number, "status": "ACTIVE"}
    assert [(c["number"], c["status"], c["stars"]) for c in data["certificates"]] == [
        (new.number, "ACTIVE", 5),
        (old.number, "EXPIRED", 3),
    ]
    assert data["evaluations"] == [
        {"evaluatedOn": "2026-07-16", "totalScore": 91.0, "stars": 5},
        {"evaluatedOn": "2022-02-09", "totalScore": 65.0, "stars": 3},
    ]


def test_product_with_an_expired_certificate_has_no_current_certificate(gql):
    product, _evaluation, _certificate = expired_product()

    data = gql(PRODUCT, {"slug": product.slug})["product"]

    assert data["currentCertificate"] is None
    assert data["certificates"][0]["status"] == "EXPIRED"


def test_product_needs_exactly_one_of_id_and_slug(gql):
    errors = gql.errors("{ product { name } }")
    assert errors[0]["message"] == "Give either `id` or `slug`."
    assert errors[0]["extensions"] == {"code": "REQUIRED"}


def test_unknown_product_is_null(gql):
    assert gql(PRODUCT, {"slug": "khong-co"}) == {"product": None}
    assert gql(PRODUCT, {"id": to_global_id("Product", 999999)}) == {"product": None}


def test_an_id_of_another_type_is_refused_not_resolved(gql):
    product, _evaluation, certificate = certified_product()
    # A product whose primary key equals the certificate's, so a lookup that ignored the type
    # would return it (PostgreSQL sequences are not reset between tests, so make it explicit).
    if product.pk != certificate.pk:
        product = ProductFactory(pk=certificate.pk)
    certificate_id = to_global_id("Certificate", certificate.pk)
    product_id = to_global_id("Product", product.pk)

    errors = gql.errors(PRODUCT, {"id": certificate_id})
    assert errors[0]["message"] == "Expected an ID of a Product, got an ID of a Certificate."
    assert errors[0]["extensions"] == {"code": "INVALID"}
    assert errors[0]["path"] == ["product"]

    errors = gql.errors("query ($id: ID!) { business(id: $id) { name } }", {"id": product_id})
    assert errors[0]["message"] == "Expected an ID of a Business, got an ID of a Product."


def test_node_resolves_each_type_by_its_own_id(gql):
    product, _evaluation, certificate = certified_product(name="Chả mực Hạ Long")
    query = """query ($id: ID!) { node(id: $id) { __typename id
        ... on Product { name } ... on Certificate { number } } }"""

    as_certificate = gql(query, {"id": to_global_id("Certificate", certificate.pk)})["node"]
    as_product = gql(query, {"id": to_global_id("Product", product.pk)})["node"]

    assert as_certificate == {
        "__typename": "Certificate",
        "id": to_global_id("Certificate", certificate.pk),
        "number": certificate.number,
    }
    assert as_product == {
        "__typename": "Product",
        "id": to_global_id("Product", product.pk),
        "name": "Chả mực Hạ Long",
    }


@pytest.mark.parametrize(
    ("global_id", "message"),
    [
        ("not-base64!", "“not-base64!” is not a valid ID."),
        (
            to_global_id("User", 1),
            f"“{to_global_id('User', 1)}” is not the ID of anything this API serves.",
        ),
        (
            to_global_id("Product", "abc"),
            f"“{to_global_id('Product', 'abc')}” is not a valid Product ID.",
        ),
    ],
)
def test_node_refuses_malformed_and_foreign_ids(gql, global_id, message):
    errors = gql.errors("query ($id: ID!) { node(id: $id) { id } }", {"id": global_id})
    assert errors[0]["message"] == message
    assert errors[0]["extensions"] == {"code": "INVALID"}


CERTIFICATE = """
query ($number: String!) {
  certificate(number: $number) {
    number stars validFrom validUntil status revocationGround decisionNumber decisionDate
    issuer isDemo product { name currentCertificate { number } } evaluation { totalScore }
  }
}
"""


def test_expired_certificate_reads_expired(gql):
    _product, _evaluation, certificate = expired_product(name="Trà hoa vàng Ba Chẽ")

    data = gql(CERTIFICATE, {"number": certificate.number})

    assert data == {
        "certificate": {
            "number": certificate.number,
            "stars": 3,
            "validFrom": "2022-03-01",
            "validUntil": "2025-03-01",
            "status": "EXPIRED",
            "revocationGround": None,
            "decisionNumber": "512/QĐ-UBND",
            "decisionDate": "2022-03-01",
            "issuer": "UBND tỉnh Quảng Ninh",
            "isDemo": False,
            "product": {"name": "Trà hoa vàng Ba Chẽ", "currentCertificate": None},
            "evaluation": {"totalScore": 65.0},
        }
    }


def test_active_certificate_past_its_date_reads_expired_before_the_daily_job(gql):
    _product, _evaluation, certificate = expired_product()
    # As if the expiry job had not run yet: the stored status is still active.
    Certificate.objects.filter(pk=certificate.pk).update(status=CertificateStatus.ACTIVE)

    data = gql(CERTIFICATE, {"number": certificate.number})["certificate"]

    assert data["status"] == "EXPIRED"
    assert data["product"]["currentCertificate"] is None


def test_revoked_certificate_gives_its_ground(gql):
    _product, _evaluation, certificate = certified_product(name="Nước mắm Cái Rồng")
    revoke_certificate(certificate=certificate, ground=RevocationGround.LAW_VIOLATION)

    data = gql(CERTIFICATE, {"number": f"  {certificate.number} "})["certificate"]

    assert data["status"] == "REVOKED"
    assert data["revocationGround"] == "LAW_VIOLATION"
    assert data["stars"] == 4
    assert data["product"] == {"name": "Nước mắm Cái Rồng", "currentCertificate": None}


REVOCATION = """
query ($number: String!) {
  certificate(number: $number) {
    revocation { ground decisionNumber decisionDate authority }
  }
}
"""


@pytest.mark.parametrize(
    ("total", "authority"),
    [
        ("72.5", "Chủ tịch UBND cấp tỉnh"),
        ("92", "Bộ trưởng Bộ Nông nghiệp và Môi trường"),
    ],
)
def test_a_revoked_certificate_gives_its_revocation_decision(gql, total, authority):
    _product, _evaluation, certificate = certified_product(total=total)
    assert gql(REVOCATION, {"number": certificate.number})["certificate"]["revocation"] is None
    revoke_certificate(
        certificate=certificate,
        ground=RevocationGround.LAW_VIOLATION,
        decision_number="512/QĐ-UBND",
        decision_date=datetime.date(2026, 10, 1),
    )
    assert gql(REVOCATION, {"number": certificate.number})["certificate"]["revocation"] == {
        "ground": "LAW_VIOLATION",
        "decisionNumber": "512/QĐ-UBND",
        "decisionDate": "2026-10-01",
        "authority": authority,
    }


def test_unknown_certificate_is_null(gql):
    assert gql(CERTIFICATE, {"number": "OCOP-22-26-00000000"}) == {"certificate": None}


SCORING_RECORD = """
query ($slug: String) {
  product(slug: $slug) {
    currentCertificate {
      stars
      evaluation {
        framework frameworkName level council evaluatedOn totalScore bandStars stars sourceUrl
        capsApplied { criterion criterionName minStar cappedTo requiredPoints chosenPoints }
        parts { code name maxScore score }
        criteria {
          group { code name maxPoints part }
          criterion { code name maxPoints }
          option { points label minStar }
        }
      }
    }
  }
}
"""


def test_scoring_record_links_parts_criteria_and_the_cap_that_held_the_stars(gql):
    product, evaluation, _certificate = scored_product(
        choices=SET01_CAPPED_CHOICES, name="Bưởi Đoan Hùng"
    )

    data = gql(SCORING_RECORD, {"slug": product.slug})["product"]["currentCertificate"]
    record = data["evaluation"]

    assert data["stars"] == 3
    assert {k: record[k] for k in record if k not in ("parts", "criteria", "capsApplied")} == {
        "framework": "QD26-2026",
        "frameworkName": evaluation.framework.name,
        "level": "PROVINCE",
        "council": "Hội đồng OCOP tỉnh",
        "evaluatedOn": "2026-07-16",
        "totalScore": 99.0,
        "bandStars": 5,
        "stars": 3,
        "sourceUrl": "https://ocop.quangninh.gov.vn/quyet-dinh/3981",
    }
    assert record["capsApplied"] == [
        {
            "criterion": "2.3",
            "criterionName": "Phong cách, ghi nhãn",
            "minStar": 4,
            "cappedTo": 3,
            "requiredPoints": 3.0,
            "chosenPoints": 2.0,
        }
    ]
    assert [(p["code"], p["maxScore"], p["score"]) for p in record["parts"]] == [
        ("A", 40.0, 39.0),
        ("B", 25.0, 25.0),
        ("C", 35.0, 35.0),
    ]
    assert [c["criterion"]["code"] for c in record["criteria"]] == list(SET01_CAPPED_CHOICES)
    labelling = next(c for c in record["criteria"] if c["criterion"]["code"] == "2.3")
    assert labelling["group"] == {
        "code": "2",
        "name": "Phát triển sản phẩm",
        "maxPoints": 10.0,
        "part": "A",
    }
    assert labelling["criterion"] == {
        "code": "2.3",
        "name": "Phong cách, ghi nhãn",
        "maxPoints": 3.0,
    }
    assert labelling["option"]["points"] == 2.0
    assert labelling["option"]["minStar"] is None
    assert sum(c["option"]["points"] for c in record["criteria"]) == 99.0


BUSINESS = """
query ($id: ID!) {
  business(id: $id) {
    id name slug legalType taxCode commune legacyAddress status
    province { code name }
    products(first: 10) { totalCount edges { node { name currentCertificate { stars } } } }
  }
}
"""


def test_business_with_its_certified_products(gql):
    holder = BusinessFactory(
        name="HTX Nông nghiệp Đồng Tiến",
        tax_code="5701234567",
        legacy_address="xã Đồng Tiến, huyện Cô Tô, tỉnh Quảng Ninh",
    )
    certified_product(name="Mật ong Đồng Tiến", holder=holder, total="72.50")
    certified_product(name="Chả mực Cô Tô", holder=holder, total="60.00")
    expired_product(name="Cá khô hết hạn", holder=holder)
    certified_product(name="Sản phẩm chủ thể khác")
    business_id = to_global_id("Business", holder.pk)

    data = gql(BUSINESS, {"id": business_id})

    assert data == {
        "business": {
            "id": business_id,
            "name": "HTX Nông nghiệp Đồng Tiến",
            "slug": "htx-nong-nghiep-dong-tien",
            "legalType": "COOPERATIVE",
            "taxCode": "5701234567",
            "commune": "xã Tiên Yên",
            "legacyAddress": "xã Đồng Tiến, huyện Cô Tô, tỉnh Quảng Ninh",
            "status": "UNCLAIMED",
            "province": {"code": "22", "name": "Tỉnh Quảng Ninh"},
            "products": {
                "totalCount": 2,
                "edges": [
                    {"node": {"name": "Chả mực Cô Tô", "currentCertificate": {"stars": 3}}},
                    {"node": {"name": "Mật ong Đồng Tiến", "currentCertificate": {"stars": 4}}},
                ],
            },
        }
    }


def test_unknown_business_is_null(gql):
    query = "query ($id: ID!) { business(id: $id) { name } }"
    assert gql(query, {"id": to_global_id("Business", 424242)}) == {"business": None}

"""The registry officials' admin, through the Django test client: changelists, filters and
search, the revoke action, the expiring view, read-only records and constant query counts."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import constants as message_levels
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from catalog.models import (
    Certificate,
    CertificateStatus,
    Evaluation,
    Product,
    RevocationGround,
)
from catalog.services import add_months, certificate_issue, evaluation_record
from sellers.models import Business, LegalType, SellerStatus
from tests.factories import (
    BusinessFactory,
    DecisionFactory,
    ProductFactory,
    ProductVariantFactory,
    UserFactory,
    admin_product_form,
    framework,
    product_set,
    province,
    revoke_certificate,
)

pytestmark = pytest.mark.django_db

CERTIFICATES = "admin:catalog_certificate_changelist"
PRODUCTS = "admin:catalog_product_changelist"
BUSINESSES = "admin:sellers_business_changelist"
EXPIRING = "admin:catalog_certificate_expiring"
ISSUED_AT = datetime.datetime(2026, 9, 1, tzinfo=datetime.UTC)


def certify(product, decision, total: str, *, now=ISSUED_AT) -> Certificate:
    evaluation = evaluation_record(
        product=product,
        framework=decision.framework,
        level="province",
        evaluated_on=decision.date - datetime.timedelta(days=10),
        total_score=Decimal(total),
        part_scores={"A": Decimal("30"), "B": Decimal("15")},
        decision=decision,
        is_demo=product.is_demo,
    )
    return certificate_issue(evaluation=evaluation, decision=decision, now=now)


@pytest.fixture
def registry():
    """Four certificates in two provinces, two frameworks, four product sets, every status."""
    quang_ninh, lam_dong = province("22"), province("68")
    tien_yen = BusinessFactory(name="HTX Mật ong Tiên Yên", province=quang_ninh)
    ba_che = BusinessFactory(
        name="HTX Trà hoa vàng Ba Chẽ", province=quang_ninh, legal_type=LegalType.HOUSEHOLD
    )
    bechamp = BusinessFactory(
        name="HTX Nông sản Hữu cơ Bechamp Đắk Nông",
        province=lam_dong,
        status=SellerStatus.ACTIVE,
        tax_code="6400123456",
    )
    atiso = BusinessFactory(
        name="Công ty TNHH Atiso Hoàng An Đà Lạt",
        province=lam_dong,
        legal_type=LegalType.ENTERPRISE,
        is_demo=True,
    )
    qn_decision = DecisionFactory(number="3981/QĐ-UBND", date=datetime.date(2026, 8, 5))
    ld_decision = DecisionFactory(
        number="4100/QĐ-UBND",
        date=datetime.date(2026, 8, 20),
        province=lam_dong,
        issuer="UBND tỉnh Lâm Đồng",
    )
    old_decision = DecisionFactory(
        number="512/QĐ-UBND", date=datetime.date(2022, 3, 1), framework=framework("QD148-2023")
    )
    honey = ProductFactory(
        name="Mật ong Tiên Yên",
        holder=tien_yen,
        product_set=product_set(4),
        product_code="22-06733-0001-2026",
    )
    coffee = ProductFactory(
        name="beCHAMP Coffee Gu Mạnh", holder=bechamp, product_set=product_set(13)
    )
    tea = ProductFactory(
        name="Trà hoa vàng Ba Chẽ", holder=ba_che, product_set=product_set(11, "QD148-2023")
    )
    artichoke = ProductFactory(
        name="Cao Atiso Hoàng An", holder=atiso, product_set=product_set(18), is_demo=True
    )
    ProductVariantFactory(product=honey, name="Hũ 500 g")
    certificates = {
        "honey": certify(honey, qn_decision, "64.00"),
        "coffee": certify(coffee, ld_decision, "75.50"),
        "tea": certify(tea, old_decision, "66.00"),
        "artichoke": certify(artichoke, ld_decision, "61.75"),
    }
    revoke_certificate(
        certificate=certificates["artichoke"],
        ground=RevocationGround.LAW_VIOLATION,
        note="Vi phạm ghi nhãn",
    )
    for certificate in certificates.values():
        certificate.refresh_from_db()
    assert [c.status for c in certificates.values()] == [
        CertificateStatus.ACTIVE,
        CertificateStatus.ACTIVE,
        CertificateStatus.EXPIRED,
        CertificateStatus.REVOKED,
    ]
    return certificates


@pytest.fixture
def superuser(client):
    user = UserFactory(username="registry-official", is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


def staff_with(client, *codenames: str):
    user = UserFactory(is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    client.force_login(user)
    return user


def listed(response) -> set[str]:
    assert response.status_code == 200
    return {str(obj.number) for obj in response.context["cl"].result_list}


def names(response) -> set[str]:
    assert response.status_code == 200
    return {obj.name for obj in response.context["cl"].result_list}


def state(certificate: Certificate) -> tuple:
    certificate.refresh_from_db()
    return (
        certificate.status,
        certificate.revocation_ground,
        certificate.revocation_note,
        certificate.revoked_by_id,
        certificate.status_changed_at,
    )


# --- certificate changelist -----------------------------------------------------------------------


def test_certificate_changelist_lists_all_and_links_to_the_expiring_view(
    client, superuser, registry
):
    response = client.get(reverse(CERTIFICATES))
    assert listed(response) == {c.number for c in registry.values()}
    assert reverse(EXPIRING) in response.content.decode()


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (lambda: {"product__holder__province__id__exact": province("22").pk}, {"honey", "tea"}),
        (
            lambda: {"product__holder__province__id__exact": province("68").pk},
            {"coffee", "artichoke"},
        ),
        (lambda: {"stars": 4}, {"coffee"}),
        (lambda: {"stars": 3}, {"honey", "tea", "artichoke"}),
        (lambda: {"status__exact": "active"}, {"honey", "coffee"}),
        (lambda: {"status__exact": "expired"}, {"tea"}),
        (lambda: {"status__exact": "revoked"}, {"artichoke"}),
        (
            lambda: {"evaluation__framework__id__exact": framework("QD148-2023").pk},
            {"tea"},
        ),
        (
            lambda: {"evaluation__framework__id__exact": framework("QD26-2026").pk},
            {"honey", "coffee", "artichoke"},
        ),
        (lambda: {"product__product_set__id__exact": product_set(4).pk}, {"honey"}),
        (lambda: {"product__product_set__id__exact": product_set(13).pk}, {"coffee"}),
        (lambda: {"is_demo__exact": 1}, {"artichoke"}),
    ],
)
def test_certificate_filters(client, superuser, registry, params, expected):
    response = client.get(reverse(CERTIFICATES), params())
    assert listed(response) == {registry[key].number for key in expected}


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("3981", {"honey"}),
        ("4100/QĐ-UBND", {"coffee", "artichoke"}),
        ("Mật ong", {"honey"}),
        ("mat ong tien yen", {"honey"}),  # without diacritics
        ("coffee", {"coffee"}),
        ("tra hoa vang", {"tea"}),
        ("nothing like this", set()),
    ],
)
def test_certificate_search(client, superuser, registry, term, expected):
    response = client.get(reverse(CERTIFICATES), {"q": term})
    assert listed(response) == {registry[key].number for key in expected}


def test_certificate_search_by_number(client, superuser, registry):
    number = registry["coffee"].number
    assert listed(client.get(reverse(CERTIFICATES), {"q": number})) == {number}


def test_certificates_cannot_be_added_or_deleted(client, superuser, registry):
    assert client.get(reverse("admin:catalog_certificate_add")).status_code == 403
    delete = reverse("admin:catalog_certificate_delete", args=[registry["honey"].pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert Certificate.objects.count() == 4


def test_status_and_revocation_are_read_only_on_the_change_page(client, superuser, registry):
    revoked = registry["artichoke"]
    url = reverse("admin:catalog_certificate_change", args=[revoked.pk])
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    assert not {"status", "revocation_ground", "revoked_by", "stars", "valid_until"} & set(
        form.fields
    )
    before = state(revoked)
    response = client.post(
        url, {"status": "active", "revocation_ground": "", "stars": 5, "_save": "Save"}
    )
    assert response.status_code == 302
    assert state(revoked) == before
    revoked.refresh_from_db()
    assert revoked.stars == 3


# --- the revoke action ----------------------------------------------------------------------------


def action_post(client, certificates, **extra):
    data = {"action": "revoke", "_selected_action": [c.pk for c in certificates]}
    if "apply" in extra:
        data |= {"decision_number": "12/QĐ-UBND", "decision_date": "01/10/2026"}
    data |= extra
    return client.post(reverse(CERTIFICATES), data)


def test_revoke_action_shows_the_form_first(client, superuser, registry):
    honey = registry["honey"]
    before = state(honey)
    response = action_post(client, [honey])
    assert response.status_code == 200
    assert response.templates[0].name == "admin/catalog/certificate/revoke.html"
    assert list(response.context["certificates"]) == [honey]
    assert set(response.context["form"].fields) == {
        "ground",
        "decision_number",
        "decision_date",
        "authority",
        "note",
    }
    page = response.content.decode()
    assert honey.number in page
    assert f'name="_selected_action" value="{honey.pk}"' in page
    assert state(honey) == before


def test_revoke_action_revokes_with_ground_note_and_official(client, superuser, registry):
    honey, coffee = registry["honey"], registry["coffee"]
    response = action_post(
        client,
        [honey, coffee],
        apply="1",
        ground=RevocationGround.MARK_MISUSE,
        note="Dán tem OCOP lên sản phẩm chưa được công nhận",
    )
    assert response.status_code == 302
    for certificate in (honey, coffee):
        status, ground, note, revoked_by, changed_at = state(certificate)
        assert (status, ground, note, revoked_by) == (
            CertificateStatus.REVOKED,
            RevocationGround.MARK_MISUSE,
            "Dán tem OCOP lên sản phẩm chưa được công nhận",
            superuser.pk,
        )
        assert changed_at is not None
        certificate.refresh_from_db()
        assert (
            certificate.revocation_decision_number,
            certificate.revocation_decision_date,
            certificate.revoking_authority,
        ) == ("12/QĐ-UBND", datetime.date(2026, 10, 1), "Chủ tịch UBND cấp tỉnh")
    messages = list(client.get(response.url).context["messages"])
    assert [m.level for m in messages] == [message_levels.SUCCESS]
    assert honey.number in str(messages[0]) and coffee.number in str(messages[0])


def test_revoke_action_normalises_the_note_to_nfc(client, superuser, registry):
    honey = registry["honey"]
    decomposed = "Vi pha\u0323m nha\u0303n ma\u0301c"
    action_post(client, [honey], apply="1", ground=RevocationGround.FALSE_DOSSIER, note=decomposed)
    honey.refresh_from_db()
    assert honey.revocation_note == "Vi phạm nhãn mác"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"note": "Quyết định thu hồi 55/QĐ-UBND"}, "ground"),
        ({"ground": "bad_mood", "note": "Quyết định thu hồi 55/QĐ-UBND"}, "ground"),
        ({"ground": RevocationGround.MARK_MISUSE, "note": "   "}, "note"),
        ({"ground": RevocationGround.MARK_MISUSE}, "note"),
    ],
)
def test_revoke_action_with_missing_input_shows_errors_and_changes_nothing(
    client, superuser, registry, data, field
):
    honey = registry["honey"]
    before = state(honey)
    response = action_post(client, [honey], apply="1", **data)
    assert response.status_code == 200
    assert list(response.context["form"].errors) == [field]
    assert state(honey) == before


def test_revoke_action_reports_refusals_and_successes(client, superuser, registry):
    honey, tea, artichoke = registry["honey"], registry["tea"], registry["artichoke"]
    artichoke_before, tea_before = state(artichoke), state(tea)
    response = action_post(
        client,
        [honey, tea, artichoke],
        apply="1",
        ground=RevocationGround.STOPPED_PRODUCTION,
        note="Ngừng sản xuất",
    )
    assert response.status_code == 302
    assert state(honey)[:2] == (CertificateStatus.REVOKED, RevocationGround.STOPPED_PRODUCTION)
    assert state(tea) == tea_before
    assert state(artichoke) == artichoke_before  # still revoked on its original ground
    messages = list(client.get(response.url).context["messages"])
    errors = [str(m) for m in messages if m.level == message_levels.ERROR]
    successes = [str(m) for m in messages if m.level == message_levels.SUCCESS]
    assert len(errors) == 2
    assert {e.split(":")[0] for e in errors} == {tea.number, artichoke.number}
    assert len(successes) == 1 and honey.number in successes[0]


def test_staff_with_change_permission_can_revoke(client, registry):
    official = staff_with(client, "view_certificate", "change_certificate")
    honey = registry["honey"]
    action_post(client, [honey], apply="1", ground=RevocationGround.AUTHORITY_CONCLUSION, note="x")
    assert state(honey)[:4] == (
        CertificateStatus.REVOKED,
        RevocationGround.AUTHORITY_CONCLUSION,
        "x",
        official.pk,
    )


def test_staff_without_change_permission_cannot_revoke(client, registry):
    staff_with(client, "view_certificate")
    honey = registry["honey"]
    before = state(honey)
    changelist = client.get(reverse(CERTIFICATES))
    assert changelist.status_code == 200
    action_form = changelist.context["action_form"]
    assert action_form is None or "revoke" not in dict(action_form.fields["action"].choices)
    for extra in ({}, {"apply": "1", "ground": RevocationGround.MARK_MISUSE, "note": "x"}):
        response = action_post(client, [honey], **extra)
        assert response.status_code in (200, 302)
        assert state(honey) == before


def test_staff_without_any_certificate_permission_is_refused(client, registry):
    staff_with(client)
    honey = registry["honey"]
    before = state(honey)
    response = action_post(
        client, [honey], apply="1", ground=RevocationGround.MARK_MISUSE, note="x"
    )
    assert response.status_code == 403
    assert client.get(reverse(EXPIRING)).status_code == 403
    assert state(honey) == before


def test_anonymous_users_are_sent_to_the_login_page(client, registry):
    honey = registry["honey"]
    before = state(honey)
    response = action_post(
        client, [honey], apply="1", ground=RevocationGround.MARK_MISUSE, note="x"
    )
    assert response.status_code == 302 and "/login/" in response.url
    assert client.get(reverse(EXPIRING)).status_code == 302
    assert state(honey) == before


# --- the expiring view ----------------------------------------------------------------------------


def certificate_until(valid_until: datetime.date, name: str, *, now=None) -> Certificate:
    """A ★3 certificate whose validity ends on (about) ``valid_until``: 29/02 cannot always be
    reached from 36 months earlier, so callers keep a day of slack."""
    product = ProductFactory(name=name)
    decision = DecisionFactory(date=add_months(valid_until, -36))
    return certify(product, decision, "60", now=now or timezone.now())


def test_expiring_view_lists_the_window_and_recent_expiries(client, superuser):
    today = timezone.localdate()
    days = datetime.timedelta
    in_window = certificate_until(today + days(150), "Chả mực Hạ Long")
    certificate_until(today + days(100), "Sá sùng Vân Đồn")  # too early for a dossier
    certificate_until(today + days(200), "Ba kích Quảng Ninh")  # not yet
    # Ran out 10 days ago, issued when it was still valid: active until the daily job runs.
    unrecorded = certificate_until(
        today - days(10), "Nước mắm Cái Rồng", now=timezone.now() - days(400)
    )
    recorded = certificate_until(today - days(20), "Miến dong Bình Liêu")
    certificate_until(today - days(45), "Rượu ba kích")  # too long ago
    revoked = certificate_until(today + days(150), "Trà hoa vàng Ba Chẽ")
    revoke_certificate(certificate=revoked, ground=RevocationGround.MARK_MISUSE)
    assert (unrecorded.status, recorded.status) == (
        CertificateStatus.ACTIVE,
        CertificateStatus.EXPIRED,
    )

    response = client.get(reverse(EXPIRING))

    assert response.status_code == 200
    entering = response.context["entering"]
    assert [(c.number, days_left) for c, days_left in entering] == [
        (in_window.number, (in_window.valid_until - today).days)
    ]
    assert 149 <= entering[0][1] <= 151
    expired = response.context["expired"]
    assert [c.number for c, _ in expired] == [unrecorded.number, recorded.number]
    page = response.content.decode()
    for certificate in (in_window, unrecorded, recorded):
        assert certificate.number in page
        assert reverse("admin:catalog_certificate_change", args=[certificate.pk]) in page
    assert revoked.number not in page
    assert f"{in_window.valid_until:%d/%m/%Y}" in page


def test_expiring_view_when_nothing_is_due(client, superuser):
    response = client.get(reverse(EXPIRING))
    assert response.status_code == 200
    assert (response.context["entering"], response.context["expired"]) == ([], [])


def test_expiring_view_is_open_to_view_only_staff(client, registry):
    staff_with(client, "view_certificate")
    assert client.get(reverse(EXPIRING)).status_code == 200


# --- products -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (lambda: {}, {"Mật ong Tiên Yên", "beCHAMP Coffee Gu Mạnh", "Trà hoa vàng Ba Chẽ",
                      "Cao Atiso Hoàng An"}),
        (lambda: {"holder__province__id__exact": province("22").pk},
         {"Mật ong Tiên Yên", "Trà hoa vàng Ba Chẽ"}),
        (lambda: {"product_set__id__exact": product_set(13).pk}, {"beCHAMP Coffee Gu Mạnh"}),
        (lambda: {"certificate_status": "active"}, {"Mật ong Tiên Yên", "beCHAMP Coffee Gu Mạnh"}),
        (lambda: {"certificate_status": "expired"}, {"Trà hoa vàng Ba Chẽ"}),
        (lambda: {"certificate_status": "revoked"}, {"Cao Atiso Hoàng An"}),
        (lambda: {"certificate_status": "none"}, {"Mứt gừng"}),
        (lambda: {"q": "tien yen"}, {"Mật ong Tiên Yên"}),
        (lambda: {"q": "Bechamp"}, {"beCHAMP Coffee Gu Mạnh"}),
        (lambda: {"q": "6400123456"}, {"beCHAMP Coffee Gu Mạnh"}),
        (lambda: {"q": "22-06733-0001"}, {"Mật ong Tiên Yên"}),
    ],
)  # fmt: skip
def test_product_filters_and_search(client, superuser, registry, params, expected):
    uncertified = ProductFactory(
        name="Mứt gừng", product_set=product_set(7), holder=BusinessFactory(province=province("01"))
    )
    expected = expected | ({uncertified.name} if not params() else set())
    assert names(client.get(reverse(PRODUCTS), params())) == expected


def test_product_list_shows_current_stars(client, superuser, registry):
    response = client.get(reverse(PRODUCTS))
    rows = {p.name: p.current_stars for p in response.context["cl"].result_list}
    assert rows == {
        "Mật ong Tiên Yên": 3,
        "beCHAMP Coffee Gu Mạnh": 4,
        "Trà hoa vàng Ba Chẽ": None,  # expired: no certificate in force
        "Cao Atiso Hoàng An": None,  # revoked
    }
    assert "★★★★" in response.content.decode()


def test_product_change_page_shows_variants_and_saves_nfc_and_folded_name(
    client, superuser, registry
):
    honey = registry["honey"].product
    url = reverse("admin:catalog_product_change", args=[honey.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "Hũ 500 g" in page.content.decode()
    response = client.post(
        url,
        admin_product_form(
            honey,
            name="Ma\u0323\u0302t ong ru\u031b\u0300ng Tie\u0302n Ye\u0302n",  # NFD
        ),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    honey.refresh_from_db()
    assert (honey.name, honey.name_folded) == ("Mật ong rừng Tiên Yên", "mat ong rung tien yen")
    assert honey.slug == registry["honey"].product.slug  # fixed once created


# --- evaluations and the rulebook -----------------------------------------------------------------


def test_evaluations_are_read_only(client, superuser, registry):
    evaluation = registry["coffee"].evaluation
    assert client.get(reverse("admin:catalog_evaluation_changelist")).status_code == 200
    page = client.get(reverse("admin:catalog_evaluation_change", args=[evaluation.pk]))
    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    assert client.get(reverse("admin:catalog_evaluation_add")).status_code == 403
    client.post(
        reverse("admin:catalog_evaluation_change", args=[evaluation.pk]),
        {"total_score": "95", "stars": 5},
    )
    evaluation.refresh_from_db()
    assert (evaluation.total_score, evaluation.stars) == (Decimal("75.50"), 4)
    assert Evaluation.objects.count() == 4


def test_evaluation_filters(client, superuser, registry):
    url = reverse("admin:catalog_evaluation_changelist")
    response = client.get(url, {"stars": 4})
    assert [e.product.name for e in response.context["cl"].result_list] == [
        "beCHAMP Coffee Gu Mạnh"
    ]
    response = client.get(url, {"framework__id__exact": framework("QD148-2023").pk})
    assert [e.product.name for e in response.context["cl"].result_list] == ["Trà hoa vàng Ba Chẽ"]


@pytest.mark.parametrize(
    ("view", "lookup"),
    [
        ("admin:catalog_framework_change", lambda: framework("QD26-2026").pk),
        ("admin:catalog_productset_change", lambda: product_set(1).pk),
        (
            "admin:catalog_criterion_change",
            lambda: product_set(1).criterion_groups.get(code="2").criteria.get(code="2.3").pk,
        ),
        ("admin:catalog_framework_changelist", None),
        ("admin:catalog_productset_changelist", None),
        ("admin:catalog_criterion_changelist", None),
    ],
)
def test_rulebook_pages(client, superuser, view, lookup):
    url = reverse(view, args=[lookup()]) if lookup else reverse(view)
    assert client.get(url).status_code == 200


def test_framework_page_shows_parts_and_bands(client, superuser):
    page = client.get(reverse("admin:catalog_framework_change", args=[framework("QD26-2026").pk]))
    formsets = {f.formset.prefix: f.formset for f in page.context["inline_admin_formsets"]}
    assert [f.instance.code for f in formsets["parts"].forms] == ["A", "B", "C"]
    assert sorted(f.instance.stars for f in formsets["star_bands"].forms) == [1, 2, 3, 4, 5]


def test_criterion_page_shows_options_with_their_minimum_markers(client, superuser):
    criterion = product_set(1).criterion_groups.get(code="2").criteria.get(code="2.3")
    page = client.get(reverse("admin:catalog_criterion_change", args=[criterion.pk]))
    (formset,) = [f.formset for f in page.context["inline_admin_formsets"]]
    assert [(f.instance.points, f.instance.min_star) for f in formset.forms] == [
        (Decimal("1.00"), 3),
        (Decimal("2.00"), None),
        (Decimal("3.00"), 4),
    ]


def test_product_sets_cannot_be_added(client, superuser):
    assert client.get(reverse("admin:catalog_productset_add")).status_code == 403


# --- businesses -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (lambda: {"province__id__exact": province("68").pk},
         {"HTX Nông sản Hữu cơ Bechamp Đắk Nông", "Công ty TNHH Atiso Hoàng An Đà Lạt"}),
        (lambda: {"status__exact": "active"}, {"HTX Nông sản Hữu cơ Bechamp Đắk Nông"}),
        (lambda: {"legal_type__exact": "household"}, {"HTX Trà hoa vàng Ba Chẽ"}),
        (lambda: {"is_demo__exact": 1}, {"Công ty TNHH Atiso Hoàng An Đà Lạt"}),
        (lambda: {"q": "6400123456"}, {"HTX Nông sản Hữu cơ Bechamp Đắk Nông"}),
        (lambda: {"q": "htx mat ong"}, {"HTX Mật ong Tiên Yên"}),
        (lambda: {"q": "Hoàng An"}, {"Công ty TNHH Atiso Hoàng An Đà Lạt"}),
    ],
)  # fmt: skip
def test_business_filters_and_search(client, superuser, registry, params, expected):
    assert names(client.get(reverse(BUSINESSES), params())) == expected


def test_business_list_shows_province_and_status(client, superuser, registry):
    response = client.get(reverse(BUSINESSES))
    assert {"province", "status"} <= set(response.context["cl"].list_display)
    page = response.content.decode()
    assert "Tỉnh Lâm Đồng" in page and "Tỉnh Quảng Ninh" in page


def test_business_status_is_not_typed_in(client, superuser, registry):
    business = Business.objects.get(name="HTX Mật ong Tiên Yên")
    url = reverse("admin:sellers_business_change", args=[business.pk])
    form = client.get(url).context["adminform"].form
    assert "status" not in form.fields
    assert "slug" not in form.fields


def test_suspending_a_seller_goes_through_the_service(client, superuser, registry):
    active = Business.objects.get(status=SellerStatus.ACTIVE)
    unclaimed = Business.objects.get(name="HTX Mật ong Tiên Yên")
    response = client.post(
        reverse(BUSINESSES),
        {"action": "suspend", "_selected_action": [active.pk, unclaimed.pk]},
    )
    assert response.status_code == 302
    active.refresh_from_db()
    unclaimed.refresh_from_db()
    assert (active.status, unclaimed.status) == (SellerStatus.SUSPENDED, SellerStatus.UNCLAIMED)
    levels = sorted(m.level for m in client.get(response.url).context["messages"])
    assert levels == [message_levels.SUCCESS, message_levels.ERROR]


# --- query counts: changelists do not grow with their rows ----------------------------------------


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize(
    "url",
    [
        CERTIFICATES,
        PRODUCTS,
        BUSINESSES,
        "admin:catalog_evaluation_changelist",
        "admin:catalog_criterion_changelist",
    ],
)
def test_changelists_run_a_constant_number_of_queries(client, superuser, registry, url):
    few = queries(client, reverse(url))
    for number in range(6):
        decision = DecisionFactory(
            province=province("01"), date=datetime.date(2026, 8, 1) + datetime.timedelta(number)
        )
        certify(ProductFactory(holder=BusinessFactory(province=province("04"))), decision, "72")
    assert Product.objects.count() == 10
    assert queries(client, reverse(url)) == few


def test_expiring_view_runs_a_constant_number_of_queries(client, superuser):
    today = timezone.localdate()
    certificate_until(today + datetime.timedelta(days=150), "Chả mực Hạ Long")
    certificate_until(today - datetime.timedelta(days=15), "Sá sùng Vân Đồn")
    few = queries(client, reverse(EXPIRING))
    for number in range(4):
        certificate_until(today + datetime.timedelta(days=140 + number), f"Sản phẩm {number}")
        certificate_until(today - datetime.timedelta(days=5 + number), f"Hết hạn {number}")
    response = client.get(reverse(EXPIRING))
    assert (len(response.context["entering"]), len(response.context["expired"])) == (5, 5)
    assert queries(client, reverse(EXPIRING)) == few

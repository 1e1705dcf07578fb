"""One definition of "the certificate in force on a day" (``catalog.rules``), and every reader
agreeing with it on the edge cases: the SQL form (``certificates_in_force``, product lists), the
product page, the GraphQL ``currentCertificate``, the search documents and the stamp/scan side
(``traceability``)."""

import datetime

import pytest
from django.utils import timezone

from catalog.models import Certificate, CertificateStatus, Product
from catalog.rules import certificate_in_force_on, certificate_placement, certificate_status_on
from catalog.selectors import (
    certificates_in_force,
    page_certificate_in_force,
    product_list,
    product_page,
)
from core.search import SearchFilters, search_backend, search_rows_changed
from tests.factories import (
    DecisionFactory,
    ProductVariantFactory,
    certified_product,
    revoke_certificate,
)
from tests.support.graphql import GraphQLClient
from traceability.selectors import certificate_on_date
from traceability.services import certificate_in_force_on as stamp_certificate_on

pytestmark = pytest.mark.django_db


@pytest.fixture
def gql(client):
    return GraphQLClient(client)


TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)
# The day the pure rules below are given (any day would do): fixed at collection, as their
# parameters are.
DAY0 = TODAY


@pytest.fixture(autouse=True)
def _today():
    """``TODAY`` as the test starts, not as the module was collected: the readers compared with
    the rule read the date themselves, and a run may cross midnight in Asia/Ho_Chi_Minh (17:00
    UTC) between the two."""
    global TODAY
    TODAY = timezone.localdate()


def backdate(certificate: Certificate, **fields) -> Certificate:
    Certificate.objects.filter(pk=certificate.pk).update(**fields)
    certificate.refresh_from_db()
    return certificate


def edge_cases() -> dict[str, Certificate]:
    """Products whose certificate sits on an edge today."""
    cases = {}
    _p, _e, cases["last day today"] = certified_product(name="Hôm nay")
    backdate(cases["last day today"], valid_until=TODAY)
    # Past its validity, the daily job not yet run: still "active" in the table.
    _p, _e, cases["ran out yesterday"] = certified_product(name="Hôm qua")
    backdate(cases["ran out yesterday"], valid_until=TODAY - DAY)
    _p, _e, cases["revoked today"] = certified_product(name="Thu hồi")
    revoke_certificate(
        certificate=cases["revoked today"], ground="mark_misuse", decision_date=TODAY
    )
    _p, _e, cases["in force"] = certified_product(name="Còn hiệu lực")
    product, _e, old = certified_product(
        name="Được thay", decision=DecisionFactory(date=datetime.date(2024, 3, 1))
    )
    certified_product(product=product, total="80", decision=DecisionFactory())
    old.refresh_from_db()
    cases["superseded"] = old
    for certificate in cases.values():
        certificate.refresh_from_db()
        search_rows_changed(Product, [certificate.product_id])
    return cases


EXPECTED = {
    "last day today": True,
    "ran out yesterday": False,
    "revoked today": False,
    "in force": True,
    "superseded": False,
}


def test_every_reader_agrees_with_the_rule_today(gql):
    cases = edge_cases()
    in_force_sql = set(certificates_in_force(today=TODAY).values_list("pk", flat=True))
    listed = dict(product_list(certified_only=False).values_list("pk", "current_certificate_id"))
    searched = {
        hit.object_id: hit.in_force
        for hit in search_backend()
        .search(query="", filters=SearchFilters(status="all"), today=TODAY)
        .hits
    }
    query = "query ($slug: String) { product(slug: $slug) { currentCertificate { number } } }"
    for name, certificate in cases.items():
        product = certificate.product
        rule = certificate_in_force_on(certificate, TODAY)
        assert rule is EXPECTED[name], name
        assert (certificate.pk in in_force_sql) is rule, name
        assert (listed[product.pk] == certificate.pk) is rule, name
        page = page_certificate_in_force(product=product_page(slug=product.slug), today=TODAY)
        assert (page is not None and page.pk == certificate.pk) is rule, name
        current = gql(query, {"slug": product.slug})["product"]["currentCertificate"]
        assert (current is not None and current["number"] == certificate.number) is rule, name
        variant = ProductVariantFactory(product=product)
        stamped = stamp_certificate_on(variant=variant, day=TODAY)
        assert (stamped is not None and stamped.pk == certificate.pk) is rule, name
        assert (certificate.status_on(TODAY) == CertificateStatus.ACTIVE) is rule, name
        if name != "superseded":  # its product's document shows the newer certificate
            assert searched[product.pk] is rule, name


def test_a_certificate_revoked_later_was_in_force_on_an_earlier_day():
    _p, _e, certificate = certified_product()
    revoke_certificate(certificate=certificate, ground="mark_misuse", decision_date=TODAY)
    certificate.refresh_from_db()
    yesterday = TODAY - DAY
    assert certificate_in_force_on(certificate, yesterday)
    assert certificate_status_on(certificate, yesterday) == "active"
    assert certificate_status_on(certificate, TODAY) == "revoked"
    variant = ProductVariantFactory(product=certificate.product)
    assert stamp_certificate_on(variant=variant, day=yesterday).pk == certificate.pk
    assert stamp_certificate_on(variant=variant, day=TODAY) is None
    on_date = certificate_on_date(product=certificate.product, day=yesterday)
    assert (on_date.status, on_date.is_valid) == ("active", True)
    assert certificate_on_date(product=certificate.product, day=TODAY).status == "revoked"


def test_a_revocation_decision_dated_ahead_is_refused():
    from catalog.errors import RegistryError

    _p, _e, certificate = certified_product()
    with pytest.raises(RegistryError) as error:
        revoke_certificate(certificate=certificate, ground="mark_misuse", decision_date=TODAY + DAY)
    assert (error.value.code, error.value.field) == ("invalid", "decision_date")


@pytest.mark.parametrize(
    ("valid_from", "valid_until", "current_from", "placed"),
    [
        # No certificate in force: the new one is, unless its validity already ran out.
        (DAY0, DAY0 + 9 * DAY, None, ("active", False)),
        (DAY0 - 9 * DAY, DAY0 - DAY, None, ("expired", False)),
        # A newer decision replaces the active certificate; the same date counts as newer.
        (DAY0, DAY0 + 9 * DAY, DAY0 - DAY, ("active", True)),
        (DAY0, DAY0 + 9 * DAY, DAY0, ("active", True)),
        # An older decision imported late is history.
        (DAY0 - 2 * DAY, DAY0 + 9 * DAY, DAY0 - DAY, ("superseded", False)),
        (DAY0 - 9 * DAY, DAY0 - DAY, DAY0 - 2 * DAY, ("expired", False)),
        (DAY0 - 9 * DAY, DAY0 - DAY, DAY0 - 10 * DAY, ("expired", True)),
        (DAY0 - 9 * DAY, DAY0 - DAY, DAY0, ("expired", False)),
    ],
)
def test_supersession_has_one_home(valid_from, valid_until, current_from, placed):
    assert (
        certificate_placement(
            valid_from=valid_from, valid_until=valid_until, current_from=current_from, today=DAY0
        )
        == placed
    )


# --- the late filer's kept validity (26/2026 Art. 12) ----------------------------------------------


def test_a_filed_re_evaluation_keeps_the_validity_until_the_grace_ends(gql):
    from catalog.services import certificate_expire_due, certificate_reevaluation_filed

    _p, _e, certificate = certified_product(name="Chờ đánh giá lại")
    # Its 36 months ran out yesterday; the dossier was filed before that.
    certificate = backdate(certificate, valid_from=TODAY - 400 * DAY, valid_until=TODAY - DAY)
    certificate = certificate_reevaluation_filed(certificate=certificate, filed_on=TODAY - 30 * DAY)
    assert certificate.kept_until == TODAY - DAY + 180 * DAY
    assert certificate_in_force_on(certificate, TODAY)
    assert certificate.status_on(TODAY) == "active"
    assert certificates_in_force(today=TODAY).filter(pk=certificate.pk).exists()
    listed = dict(product_list().values_list("pk", "current_certificate_id"))
    assert listed[certificate.product_id] == certificate.pk
    assert certificate_expire_due(today=TODAY) == 0
    hits = search_backend().search(query="cho danh gia lai", today=TODAY).hits
    assert [h.in_force for h in hits] == [True]
    # The day after the grace it has lapsed everywhere.
    after = certificate.kept_until + DAY
    assert not certificate_in_force_on(certificate, after)
    assert certificate.status_on(after) == "expired"
    assert not certificates_in_force(today=after).filter(pk=certificate.pk).exists()
    assert certificate_expire_due(today=after) == 1


def test_no_validity_is_kept_under_a_framework_without_grace():
    from catalog.errors import RegistryError
    from catalog.models import Framework
    from catalog.services import certificate_reevaluation_filed

    Framework.objects.update(late_grace_days=None)
    _p, _e, certificate = certified_product()
    with pytest.raises(RegistryError) as error:
        certificate_reevaluation_filed(certificate=certificate, filed_on=TODAY)
    assert error.value.code == "no_grace"


def test_pages_say_the_validity_is_kept_while_the_re_evaluation_is_decided(client):
    """Past its 36 months with a re-evaluation filed, the product, certificate and scan pages
    give the kept last day and the term's end — not the bare original date, which would read
    as lapsed."""
    from catalog.services import certificate_reevaluation_filed
    from tests.factories_traceability import stamps_for, traced_product
    from traceability import signing

    traced = traced_product(name="Mật ong chờ đánh giá lại")
    certificate = backdate(
        traced.certificate, valid_from=TODAY - 400 * DAY, valid_until=TODAY - DAY
    )
    certificate = certificate_reevaluation_filed(certificate=certificate, filed_on=TODAY - 30 * DAY)
    kept, ended = (
        certificate.kept_until.strftime("%d/%m/%Y"),
        certificate.valid_until.strftime("%d/%m/%Y"),
    )
    _run, stamps, _pins = stamps_for(traced, 1)
    pages = {
        "product": f"/san-pham/{traced.product.slug}/",
        "scan": f"/s/{signing.stamp_code(stamps[0])}/",
    }
    for name, url in pages.items():
        html = client.get(url, HTTP_ACCEPT_LANGUAGE="vi").content.decode()
        assert (
            f"Còn hiệu lực đến {kept} trong khi chờ quyết định đánh giá lại (hết thời hạn {ended})"
        ) in html, name
        assert f"Còn hiệu lực đến {ended}" not in html, name
    html = client.get(
        f"/chung-nhan/{certificate.number}/", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert f"kept in force until {kept} while its re-evaluation is decided" in html

"""The certificate lifecycle through catalog.services: issue (★3–★5 only, 36 months),
supersession, revocation on the six grounds of 26/2026 Art. 8, and expiry."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from catalog.errors import RegistryError
from catalog.models import Certificate, CertificateStatus, Evaluation, RevocationGround
from catalog.selectors import certificates_in_force, evaluation_history
from catalog.services import (
    add_months,
    certificate_expire_due,
    certificate_issue,
    evaluation_record,
)
from tests.factories import (
    DecisionFactory,
    ProductFactory,
    UserFactory,
    framework,
    granting_level,
    revoke_certificate,
)

pytestmark = pytest.mark.django_db

# "Now" for every issue below, so that no certificate is already past its validity.
NOW = datetime.datetime(2026, 9, 1, 3, 0, tzinfo=datetime.UTC)


def evaluate(product, decision, total: str) -> Evaluation:
    return evaluation_record(
        product=product,
        framework=decision.framework,
        level=granting_level(framework=decision.framework, total=Decimal(total)),
        evaluated_on=decision.date - datetime.timedelta(days=14),
        total_score=Decimal(total),
        decision=decision,
    )


def issue(product=None, *, date=datetime.date(2026, 8, 5), total="72.50", now=NOW, **decision):
    product = product or ProductFactory()
    decision_row = DecisionFactory(date=date, **decision)
    evaluation = evaluate(product, decision_row, total)
    return certificate_issue(evaluation=evaluation, decision=decision_row, now=now)


def snapshot(certificate: Certificate) -> tuple:
    certificate.refresh_from_db()
    return (
        certificate.status,
        certificate.revocation_ground,
        certificate.revocation_note,
        certificate.revoked_by_id,
        certificate.superseded_by_id,
        certificate.status_changed_at,
    )


# --- issue ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("total", "stars"), [("0", 1), ("29.99", 1), ("30", 2), ("49.99", 2)])
def test_one_and_two_stars_get_no_certificate(total, stars):
    product = ProductFactory()
    decision = DecisionFactory()
    evaluation = evaluate(product, decision, total)
    assert evaluation.stars == stars
    with pytest.raises(RegistryError) as error:
        certificate_issue(evaluation=evaluation, decision=decision, now=NOW)
    assert (error.value.code, error.value.field) == ("not_recognised", "stars")
    assert Certificate.objects.count() == 0
    # The scoring record itself is history and stays.
    assert list(evaluation_history(product=product)) == [evaluation]


@pytest.mark.parametrize(("total", "stars"), [("50", 3), ("70", 4), ("90", 5)])
def test_three_to_five_stars_are_certified(total, stars):
    certificate = issue(total=total)
    certificate.refresh_from_db()
    assert (certificate.stars, certificate.status) == (stars, CertificateStatus.ACTIVE)
    assert certificate.status_changed_at == NOW
    assert certificate.evaluation.stars == stars


@pytest.mark.parametrize(
    ("decided", "until"),
    [
        (datetime.date(2026, 8, 5), datetime.date(2029, 8, 5)),
        (datetime.date(2026, 1, 31), datetime.date(2029, 1, 31)),
        (datetime.date(2024, 2, 29), datetime.date(2027, 2, 28)),
        (datetime.date(2025, 12, 31), datetime.date(2028, 12, 31)),
    ],
)
def test_validity_is_36_months_from_the_decision(decided, until):
    certificate = issue(date=decided, now=datetime.datetime(2024, 3, 1, tzinfo=datetime.UTC))
    assert (certificate.valid_from, certificate.valid_until) == (decided, until)
    assert certificate.status == CertificateStatus.ACTIVE


def test_add_months_clamps_to_the_end_of_the_month():
    assert add_months(datetime.date(2026, 1, 31), 1) == datetime.date(2026, 2, 28)
    assert add_months(datetime.date(2028, 1, 31), 1) == datetime.date(2028, 2, 29)
    assert add_months(datetime.date(2026, 3, 31), 1) == datetime.date(2026, 4, 30)
    assert add_months(datetime.date(2026, 11, 30), 3) == datetime.date(2027, 2, 28)
    assert add_months(datetime.date(2026, 8, 5), 36) == datetime.date(2029, 8, 5)


def test_a_decision_whose_validity_already_ran_out_is_recorded_as_expired():
    certificate = issue(date=datetime.date(2022, 3, 1))
    assert (certificate.valid_until, certificate.status) == (
        datetime.date(2025, 3, 1),
        CertificateStatus.EXPIRED,
    )


def test_the_local_date_decides_whether_an_issued_certificate_has_expired():
    # 00:30 on 06/08/2029 in Hà Nội is still 05/08 in UTC: the certificate valid until 05/08
    # has run out locally.
    now = datetime.datetime(2029, 8, 5, 17, 30, tzinfo=datetime.UTC)
    assert timezone.localdate(now) == datetime.date(2029, 8, 6)
    certificate = issue(date=datetime.date(2026, 8, 5), now=now)
    assert certificate.status == CertificateStatus.EXPIRED


# --- supersession ---------------------------------------------------------------------------------


def test_an_upgrade_supersedes_the_certificate_in_force():
    product = ProductFactory()
    old = issue(product, date=datetime.date(2026, 3, 2), total="66.00", number="100/QĐ-UBND")
    later = datetime.datetime(2026, 10, 1, tzinfo=datetime.UTC)
    new = issue(product, date=datetime.date(2026, 9, 15), total="81.25", now=later)
    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.status, old.superseded_by, old.status_changed_at) == (
        CertificateStatus.SUPERSEDED,
        new,
        later,
    )
    assert (new.status, new.stars, new.valid_until) == (
        CertificateStatus.ACTIVE,
        4,
        datetime.date(2029, 9, 15),
    )
    assert list(Certificate.objects.filter(product=product, status="active")) == [new]
    assert list(certificates_in_force(today=datetime.date(2026, 10, 1))) == [new]
    # History is kept: both scoring records remain, newest first.
    assert [e.total_score for e in evaluation_history(product=product)] == [
        Decimal("81.25"),
        Decimal("66.00"),
    ]


def test_a_re_evaluation_at_the_same_star_also_supersedes():
    product = ProductFactory()
    first = issue(product, date=datetime.date(2026, 1, 10), total="55")
    second = issue(product, date=datetime.date(2026, 6, 10), total="58")
    third = issue(product, date=datetime.date(2026, 8, 10), total="61")
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.superseded_by) == (CertificateStatus.SUPERSEDED, second)
    assert (second.status, second.superseded_by) == (CertificateStatus.SUPERSEDED, third)
    assert Certificate.objects.filter(product=product, status="active").get() == third


def test_an_older_decision_imported_late_does_not_knock_out_the_newer_one():
    product = ProductFactory()
    current = issue(product, date=datetime.date(2026, 6, 1), total="75")
    older = issue(product, date=datetime.date(2025, 6, 1), total="62")
    current.refresh_from_db()
    assert (current.status, current.superseded_by) == (CertificateStatus.ACTIVE, None)
    assert (older.status, older.superseded_by) == (CertificateStatus.SUPERSEDED, current)
    # Already past its validity: recorded as expired.
    ancient = issue(product, date=datetime.date(2022, 6, 1), total="60")
    assert (ancient.status, ancient.superseded_by) == (CertificateStatus.EXPIRED, None)
    assert Certificate.objects.filter(product=product, status="active").get() == current


# --- revocation -----------------------------------------------------------------------------------


@pytest.mark.parametrize("ground", RevocationGround.values)
def test_revocation_on_each_ground(ground):
    official = UserFactory(is_staff=True)
    certificate = issue()
    at = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)
    result = revoke_certificate(
        certificate=certificate,
        ground=ground,
        note="Quyết định thu hồi số 12/QĐ-UBND",
        user=official,
        now=at,
    )
    assert result.pk == certificate.pk
    assert snapshot(certificate) == (
        CertificateStatus.REVOKED,
        ground,
        "Quyết định thu hồi số 12/QĐ-UBND",
        official.pk,
        None,
        at,
    )
    assert not certificates_in_force(today=datetime.date(2026, 11, 2)).exists()


def test_the_six_grounds_of_article_8():
    assert len(RevocationGround.values) == 6


def test_an_anonymous_revoker_is_not_recorded():
    certificate = issue()
    revoke_certificate(
        certificate=certificate, ground=RevocationGround.MARK_MISUSE, user=AnonymousUser()
    )
    certificate.refresh_from_db()
    assert (certificate.status, certificate.revoked_by) == (CertificateStatus.REVOKED, None)


def test_an_unknown_ground_is_refused_and_nothing_changes():
    certificate = issue()
    before = snapshot(certificate)
    with pytest.raises(RegistryError) as error:
        revoke_certificate(certificate=certificate, ground="bad_mood")
    assert (error.value.code, error.value.field) == ("invalid", "ground")
    assert snapshot(certificate) == before


def _superseded():
    product = ProductFactory()
    old = issue(product, date=datetime.date(2026, 1, 5))
    issue(product, date=datetime.date(2026, 7, 5))
    return old


def _expired():
    return issue(date=datetime.date(2022, 3, 1))


def _revoked():
    certificate = issue()
    revoke_certificate(certificate=certificate, ground=RevocationGround.FALSE_DOSSIER)
    return certificate


@pytest.mark.parametrize("make", [_superseded, _expired, _revoked])
def test_revoking_a_certificate_that_is_not_active_is_refused(make):
    certificate = make()
    before = snapshot(certificate)
    with pytest.raises(RegistryError) as error:
        revoke_certificate(
            certificate=certificate,
            ground=RevocationGround.STOPPED_PRODUCTION,
            note="again",
            user=UserFactory(),
        )
    assert (error.value.code, error.value.field) == ("invalid_status", "certificate")
    assert snapshot(certificate) == before


# --- expiry ---------------------------------------------------------------------------------------


def test_expiry_happens_the_day_after_valid_until():
    certificate = issue(date=datetime.date(2026, 8, 5))
    last_day = datetime.date(2029, 8, 5)
    assert certificate.valid_until == last_day

    assert certificate_expire_due(today=last_day) == 0
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.ACTIVE
    assert list(certificates_in_force(today=last_day)) == [certificate]

    assert certificate_expire_due(today=last_day + datetime.timedelta(days=1)) == 1
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.EXPIRED
    assert certificate.status_changed_at is not None
    # Running again the same day finds nothing more.
    assert certificate_expire_due(today=last_day + datetime.timedelta(days=1)) == 0


def test_expiry_leaves_revoked_and_superseded_certificates_alone():
    revoked = _revoked()
    superseded = _superseded()
    long_after = datetime.date(2035, 1, 1)
    active_left = Certificate.objects.filter(status=CertificateStatus.ACTIVE).count()
    assert certificate_expire_due(today=long_after) == active_left == 1
    revoked.refresh_from_db()
    superseded.refresh_from_db()
    assert (revoked.status, superseded.status) == (
        CertificateStatus.REVOKED,
        CertificateStatus.SUPERSEDED,
    )


def test_status_on_reads_an_active_certificate_past_its_date_as_expired():
    certificate = issue(date=datetime.date(2026, 8, 5))
    until = certificate.valid_until
    assert certificate.status_on(datetime.date(2026, 8, 5)) == CertificateStatus.ACTIVE
    assert certificate.status_on(until) == CertificateStatus.ACTIVE
    assert certificate.status_on(until + datetime.timedelta(days=1)) == CertificateStatus.EXPIRED
    revoke_certificate(
        certificate=certificate,
        ground=RevocationGround.LAW_VIOLATION,
        decision_date=datetime.date(2026, 9, 1),
    )
    certificate.refresh_from_db()
    # Revoked from its decision's date; in force before it.
    assert certificate.status_on(datetime.date(2026, 8, 31)) == CertificateStatus.ACTIVE
    assert certificate.status_on(datetime.date(2026, 9, 1)) == CertificateStatus.REVOKED
    assert certificate.status_on(until + datetime.timedelta(days=1)) == CertificateStatus.REVOKED


def test_framework_validity_is_data():
    fw = framework("QD26-2026")
    fw.validity_months = 24
    fw.save(update_fields=["validity_months"])
    certificate = issue(date=datetime.date(2026, 8, 31))
    assert certificate.valid_until == datetime.date(2028, 8, 31)


# --- the revocation decision --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "authority"),
    [
        ("60", "Chủ tịch UBND cấp tỉnh"),
        ("80", "Chủ tịch UBND cấp tỉnh"),
        ("95", "Bộ trưởng Bộ Nông nghiệp và Môi trường"),
    ],
)
def test_revocation_records_the_decision_and_the_authority_the_stars_call_for(total, authority):
    certificate = issue(total=total)
    revoke_certificate(
        certificate=certificate,
        ground=RevocationGround.FALSE_DOSSIER,
        decision_number=" 512/QĐ-UBND ",
        decision_date=datetime.date(2026, 10, 1),
    )
    certificate.refresh_from_db()
    assert (
        certificate.revocation_decision_number,
        certificate.revocation_decision_date,
        certificate.revoking_authority,
    ) == ("512/QĐ-UBND", datetime.date(2026, 10, 1), authority)


def test_a_named_authority_is_kept():
    certificate = issue()
    revoke_certificate(
        certificate=certificate,
        ground=RevocationGround.FALSE_DOSSIER,
        authority="Phó Chủ tịch UBND tỉnh Quảng Ninh",
    )
    certificate.refresh_from_db()
    assert certificate.revoking_authority == "Phó Chủ tịch UBND tỉnh Quảng Ninh"


@pytest.mark.parametrize(
    ("changes", "code", "field"),
    [
        ({"decision_number": "  "}, "required", "decision_number"),
        ({"decision_number": "9" * 61}, "too_long", "decision_number"),
        ({"decision_date": None}, "required", "decision_date"),
        ({"decision_date": datetime.date(2026, 8, 4)}, "invalid", "decision_date"),
    ],
)
def test_a_revocation_without_a_proper_decision_is_refused(changes, code, field):
    certificate = issue()
    before = snapshot(certificate)
    with pytest.raises(RegistryError) as error:
        revoke_certificate(
            certificate=certificate, ground=RevocationGround.FALSE_DOSSIER, **changes
        )
    assert (error.value.code, error.value.field) == (code, field)
    assert snapshot(certificate) == before

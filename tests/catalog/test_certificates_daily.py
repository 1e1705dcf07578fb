"""``manage.py certificates_daily``: records expiries, reminds holders (the same service as the
scheduled job, catalog.reminders), lists the re-evaluation window."""

import datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from catalog.models import Certificate, CertificateStatus, Framework, RevocationGround
from catalog.rules import ReevaluationWindow
from catalog.selectors import reevaluation_window
from catalog.services import add_months, certificate_issue, evaluation_record
from tests.factories import BusinessFactory, DecisionFactory, ProductFactory, revoke_certificate

pytestmark = pytest.mark.django_db

RUN_DAY = datetime.date(2027, 3, 10)
ISSUED_AT = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)


def certificate_until(valid_until: datetime.date, *, name: str, holder: str = "") -> Certificate:
    """A ★3 certificate whose 36 months end on ``valid_until``."""
    decided = add_months(valid_until, -36)
    assert add_months(decided, 36) == valid_until
    product = ProductFactory(
        name=name, **({"holder": BusinessFactory(name=holder)} if holder else {})
    )
    decision = DecisionFactory(date=decided)
    evaluation = evaluation_record(
        product=product,
        framework=decision.framework,
        level="province",
        evaluated_on=decided,
        total_score=Decimal("64.00"),
        decision=decision,
    )
    return certificate_issue(evaluation=evaluation, decision=decision, now=ISSUED_AT)


def run(*args) -> str:
    out = StringIO()
    with translation.override("en"):
        call_command("certificates_daily", *args, stdout=out)
    return out.getvalue()


def day(offset: int) -> datetime.date:
    return RUN_DAY + datetime.timedelta(days=offset)


def test_expires_due_certificates_and_lists_the_window():
    ran_out = certificate_until(day(-1), name="Trà hoa vàng Ba Chẽ")
    last_day = certificate_until(day(0), name="Chả mực Hạ Long")
    window = {
        offset: certificate_until(day(offset), name=f"Sản phẩm {offset}", holder=f"HTX số {offset}")
        for offset in (119, 120, 150, 180, 181)
    }

    output = run("--date", RUN_DAY.isoformat())

    ran_out.refresh_from_db()
    last_day.refresh_from_db()
    assert (ran_out.status, last_day.status) == (
        CertificateStatus.EXPIRED,
        CertificateStatus.ACTIVE,
    )
    lines = output.splitlines()
    assert lines[0] == "1 certificate expired."
    assert lines[1] == (
        "3 certificates are entering the re-evaluation window (180 to 120 days before expiry)."
    )
    # Soonest expiry first; 119 and 181 days are outside the window.
    assert lines[2:-1] == [
        f"{window[offset].number} | Sản phẩm {offset} | HTX số {offset} | "
        f"valid until {day(offset):%d/%m/%Y} | {offset} days left"
        for offset in (120, 150, 180)
    ]
    assert lines[-1] == (
        "Holders reminded by e-mail (each certificate once): 3 re-evaluation, 1 expired."
    )


def test_a_second_run_the_same_day_expires_nothing_more():
    certificate_until(day(-3), name="Nước mắm Cái Rồng")
    assert run("--date", RUN_DAY.isoformat()).splitlines()[0] == "1 certificate expired."
    assert run("--date", RUN_DAY.isoformat()).splitlines()[:2] == [
        "0 certificates expired.",
        "0 certificates are entering the re-evaluation window (180 to 120 days before expiry).",
    ]


def test_revoked_certificates_are_neither_expired_nor_listed():
    revoked = certificate_until(day(150), name="Miến dong Bình Liêu")
    revoke_certificate(certificate=revoked, ground=RevocationGround.MARK_MISUSE)
    assert run("--date", RUN_DAY.isoformat()).splitlines() == [
        "0 certificates expired.",
        "0 certificates are entering the re-evaluation window (180 to 120 days before expiry).",
        "Holders reminded by e-mail (each certificate once): 0 re-evaluation, 0 expired.",
    ]
    revoked.refresh_from_db()
    assert revoked.status == CertificateStatus.REVOKED


def test_without_date_it_runs_for_today(monkeypatch):
    from django.utils import timezone

    certificate = certificate_until(day(-1), name="Ba kích Quảng Ninh")
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: RUN_DAY)
    assert run().splitlines()[0] == "1 certificate expired."
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.EXPIRED


def test_a_bad_date_is_refused_and_nothing_changes():
    certificate = certificate_until(day(-1), name="Sá sùng Vân Đồn")
    with pytest.raises(CommandError, match="31/12/2027"), translation.override("en"):
        call_command("certificates_daily", "--date", "31/12/2027", stdout=StringIO())
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.ACTIVE


def test_the_window_is_the_current_frameworks_data():
    # 2024 decisions (148/2023) expire in 2027, when 26/2026 is the current framework.
    for offset in (89, 90, 150, 151):
        certificate_until(day(offset), name=f"Sản phẩm {offset}", holder=f"HTX số {offset}")
    Framework.objects.filter(code="QD26-2026").update(
        reevaluation_from_days=150, reevaluation_until_days=90
    )
    assert reevaluation_window(today=RUN_DAY) == ReevaluationWindow(150, 90)
    lines = run("--date", RUN_DAY.isoformat()).splitlines()
    assert lines[1] == (
        "2 certificates are entering the re-evaluation window (150 to 90 days before expiry)."
    )
    assert [line.split(" | ")[1] for line in lines[2:-1]] == ["Sản phẩm 90", "Sản phẩm 150"]


def test_the_command_reminds_each_holder_once_like_the_scheduled_job(
    django_capture_on_commit_callbacks,
):
    from django.core import mail

    from catalog.models import CertificateReminder
    from tests.factories import MembershipFactory, UserFactory

    entering = certificate_until(day(150), name="Trà hoa vàng", holder="HTX Ba Chẽ")
    MembershipFactory(
        business=entering.product.holder,
        role="owner",
        user=UserFactory(email="chu@bache.vn", username="chu@bache.vn"),
    )
    ran_out = certificate_until(day(-3), name="Nước mắm", holder="HTX Cái Rồng")
    ran_out.product.holder.email = "htx@cairong.vn"
    ran_out.product.holder.save()

    for _run in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            output = run("--date", RUN_DAY.isoformat())
        if _run == 0:
            assert output.splitlines()[-1] == (
                "Holders reminded by e-mail (each certificate once): 1 re-evaluation, 1 expired."
            )
    assert output.splitlines()[-1] == (
        "Holders reminded by e-mail (each certificate once): 0 re-evaluation, 0 expired."
    )
    assert sorted(tuple(message.to) for message in mail.outbox) == [
        ("chu@bache.vn",),
        ("htx@cairong.vn",),
    ]
    assert CertificateReminder.objects.count() == 2

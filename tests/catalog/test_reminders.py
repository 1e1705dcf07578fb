"""The daily registry job on beat's schedule (catalog.certificates_daily → catalog.reminders):
certificates past their validity are recorded as expired, and each holder is told once about
each certificate entering the re-evaluation window or just expired — a second run sends nothing."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from catalog.models import CertificateReminder, CertificateStatus, ReminderKind
from catalog.reminders import certificates_daily_run
from core.jobs import job_start
from core.models import Job, JobState
from tests.catalog.test_certificates_daily import RUN_DAY, certificate_until, day
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def _owner(certificate, email):
    MembershipFactory(
        business=certificate.product.holder,
        role="owner",
        user=UserFactory(email=email, username=email),
    )


def test_each_holder_is_reminded_once_per_certificate(django_capture_on_commit_callbacks):
    entering = certificate_until(day(150), name="Trà hoa vàng", holder="HTX Ba Chẽ")
    second = certificate_until(day(170), name="Rượu ba kích")
    second.product.holder = entering.product.holder
    second.product.save()
    _owner(entering, "chu@bache.vn")
    outside = certificate_until(day(200), name="Chả mực", holder="HTX Hạ Long")
    _owner(outside, "chu@halong.vn")
    ran_out = certificate_until(day(-3), name="Nước mắm", holder="HTX Cái Rồng")
    ran_out.product.holder.email = "htx@cairong.vn"
    ran_out.product.holder.save()

    with django_capture_on_commit_callbacks(execute=True):
        counts = certificates_daily_run(today=RUN_DAY)

    assert counts == {"expired": 1, "reminded_reevaluation": 2, "reminded_expired": 1}
    ran_out.refresh_from_db()
    assert ran_out.status == CertificateStatus.EXPIRED
    by_recipient = {tuple(m.to): m for m in mail.outbox}
    assert sorted(by_recipient) == [("chu@bache.vn",), ("htx@cairong.vn",)]
    reevaluation = by_recipient[("chu@bache.vn",)]
    assert reevaluation.subject == "Đến hạn đánh giá lại chứng nhận OCOP: HTX Ba Chẽ"
    assert entering.number in reevaluation.body and second.number in reevaluation.body
    assert f"/chung-nhan/{entering.number}/" in reevaluation.body
    assert "từ 180 đến 120 ngày trước khi hết hạn" in reevaluation.body
    expired = by_recipient[("htx@cairong.vn",)]
    assert expired.subject == "Chứng nhận OCOP đã hết hạn: HTX Cái Rồng"
    assert ran_out.number in expired.body
    assert sorted(
        CertificateReminder.objects.values_list("certificate__number", "kind", "recipients")
    ) == sorted(
        [
            (entering.number, ReminderKind.REEVALUATION, ["chu@bache.vn"]),
            (second.number, ReminderKind.REEVALUATION, ["chu@bache.vn"]),
            (ran_out.number, ReminderKind.EXPIRED, ["htx@cairong.vn"]),
        ]
    )

    # The next day's run (and a second run the same day) tells nobody again.
    with django_capture_on_commit_callbacks(execute=True):
        again = certificates_daily_run(today=RUN_DAY + datetime.timedelta(days=1))
    assert again == {"expired": 0, "reminded_reevaluation": 0, "reminded_expired": 0}
    assert len(mail.outbox) == 2


def test_a_holder_without_any_address_is_recorded_and_not_retried():
    certificate = certificate_until(day(150), name="Miến dong", holder="HTX Bình Liêu")
    assert certificates_daily_run(today=RUN_DAY)["reminded_reevaluation"] == 1
    (reminder,) = CertificateReminder.objects.all()
    assert (reminder.certificate, reminder.recipients, reminder.job) == (certificate, [], None)
    assert Job.objects.count() == 0


def test_the_scheduled_job_runs_the_daily_work(django_capture_on_commit_callbacks):
    certificate = certificate_until(
        timezone.localdate() - datetime.timedelta(days=1), name="Sá sùng", holder="HTX Vân Đồn"
    )
    with django_capture_on_commit_callbacks(execute=True):
        job = job_start(task="catalog.certificates_daily")
    job.refresh_from_db()
    assert job.state == JobState.DONE
    assert job.result == {"expired": 1, "reminded_reevaluation": 0, "reminded_expired": 1}
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.EXPIRED


def test_beat_schedule_names_registered_tasks(settings):
    from celery import current_app

    current_app.autodiscover_tasks(force=True)
    schedule = settings.CELERY_BEAT_SCHEDULE
    started = {entry["args"][0] for entry in schedule.values() if entry.get("args")}
    assert started == {
        "catalog.certificates_daily",
        "payments.expire_unpaid",
        "orders.reservations_expire",
        "core.sessions_clear",
        "catalog.opendata_generate",
        "core.jobs_cleanup",
        "fairs.booth_fees_expire",
        "offers.stock_windows_turn",
    }
    for name in started | {entry["task"] for entry in schedule.values()}:
        assert name in current_app.tasks, name

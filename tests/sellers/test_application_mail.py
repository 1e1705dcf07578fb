"""The applicant hears the staff's decision on a claim or a new-business application by e-mail
(the claim page promises it): in the language the application was sent in, queued on a job and
sent by the e-mail task after the review commits — never when the review rolls back, and a mail
server that is down never undoes the review."""

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse

from core.models import Job, JobState
from sellers.models import SellerApplication, SellerStatus
from sellers.services import seller_application_approve, seller_application_reject
from tests.factories import BusinessFactory, UserFactory
from tests.sellers.conftest import login

pytestmark = pytest.mark.django_db

CLAIM = {
    "tax_code": "5700100256",
    "contact_name": "Nguyễn Thị Hoa",
    "contact_phone": "0912 345 678",
    "evidence": "GCN HTX số 22/2019",
}


class DownBackend:
    """A mail server that refuses every connection."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("connection refused")


def _claimed(client, language: str) -> SellerApplication:
    business = BusinessFactory(tax_code="5700100256", name="HTX Mật ong Tiên Yên")
    login(client, UserFactory(email="hoa@example.vn"))
    client.cookies["django_language"] = language
    response = client.post(reverse("seller:claim", args=[business.slug]), CLAIM)
    assert response.status_code == 302
    return SellerApplication.objects.get()


def test_an_approved_claim_is_mailed_in_the_language_it_was_sent_in(
    client, staff_user, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://cho-ocop.vn"
    application = _claimed(client, "en")
    assert application.language == "en"
    assert mail.outbox == []  # nothing until the review
    with django_capture_on_commit_callbacks(execute=True):
        seller_application_approve(application=application, reviewer=staff_user)
    (message,) = mail.outbox
    assert (message.subject, message.to) == (
        "Your application for HTX Mật ong Tiên Yên is approved",
        ["hoa@example.vn"],
    )
    assert message.body.splitlines()[:3] == [
        "Hello Nguyễn Thị Hoa,",
        "",
        "Staff have verified your application for HTX Mật ong Tiên Yên: you are now its owner "
        "on OCOP Marketplace. Open your account to start selling and to invite your team.",
    ]
    assert "https://cho-ocop.vn/tai-khoan/" in message.body
    (job,) = Job.objects.filter(kind="core.email_send")
    assert (job.state, job.created_by) == (JobState.DONE, staff_user)


def test_a_rejected_claim_is_mailed_with_the_reason(
    client, staff_user, django_capture_on_commit_callbacks
):
    application = _claimed(client, "vi")
    with django_capture_on_commit_callbacks(execute=True):
        seller_application_reject(
            application=application, reviewer=staff_user, note="Mã số thuế không khớp"
        )
    (message,) = mail.outbox
    assert message.subject == "Hồ sơ đăng ký HTX Mật ong Tiên Yên chưa được duyệt"
    assert "Lý do: Mã số thuế không khớp" in message.body


def test_a_review_that_rolls_back_sends_nothing(
    client, staff_user, django_capture_on_commit_callbacks
):
    application = _claimed(client, "vi")
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        seller_application_approve(application=application, reviewer=staff_user)
        raise RuntimeError("the admin action failed later")
    assert callbacks == []
    assert mail.outbox == []
    assert Job.objects.filter(kind="core.email_send").count() == 0
    assert SellerApplication.objects.get().status == "pending"


def test_a_mail_server_outage_never_undoes_the_review(
    client, staff_user, settings, django_capture_on_commit_callbacks
):
    application = _claimed(client, "vi")
    settings.EMAIL_BACKEND = "tests.sellers.test_application_mail.DownBackend"
    with django_capture_on_commit_callbacks(execute=True):
        seller_application_approve(application=application, reviewer=staff_user)
    assert application.business.__class__.objects.get(pk=application.business_id).status == (
        SellerStatus.VERIFIED
    )
    (job,) = Job.objects.filter(kind="core.email_send")
    assert job.state == JobState.FAILED
    assert "ConnectionRefusedError" in job.error
    assert job.arguments["to"] == ["hoa@example.vn"]

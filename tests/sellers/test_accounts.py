"""Account pages through HTTP: sign up, sign in with its rate limit, sign out, password reset,
my account."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from sellers.models import SellerStatus
from tests.factories import MembershipFactory, SellerApplicationFactory, UserFactory
from tests.sellers.conftest import PASSWORD

pytestmark = pytest.mark.django_db

SIGNUP = {
    "email": "Hoa@Example.vn",
    "full_name": "Nguyễn Thị Hoa",
    "password1": "mat-ong-rung-42",
    "password2": "mat-ong-rung-42",
}


def _session_user_id(client):
    return client.session.get("_auth_user_id")


# --- sign up ------------------------------------------------------------------------------------


def test_sign_up_creates_the_account_and_signs_in(client):
    response = client.post(reverse("account:signup"), SIGNUP)
    assert response.status_code == 302
    assert response["Location"] == reverse("account:my_account")
    user = get_user_model().objects.get()
    assert (user.username, user.email, user.get_full_name()) == (
        "hoa@example.vn",
        "hoa@example.vn",
        "Nguyễn Thị Hoa",
    )
    assert _session_user_id(client) == str(user.pk)


def test_sign_up_follows_a_safe_next_only(client):
    response = client.post(reverse("account:signup") + "?next=/seller/apply/", SIGNUP)
    assert response["Location"] == "/seller/apply/"
    client.logout()
    response = client.post(
        reverse("account:signup") + "?next=https://evil.example/",
        {**SIGNUP, "email": "b@example.vn"},
    )
    assert response["Location"] == reverse("account:my_account")


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"password2": "mat-ong-rung-43"}, "password2", "The two passwords do not match."),
        (
            {"password1": "12345678", "password2": "12345678"},
            "password2",
            "This password is too common.",
        ),
        ({"email": "not-an-email"}, "email", "Enter a valid email address."),
    ],
)
def test_sign_up_errors_are_shown_on_their_field(client, change, field, message):
    response = client.post(reverse("account:signup"), {**SIGNUP, **change})
    assert response.status_code == 200
    assert message in response.context["form"].errors[field]
    assert get_user_model().objects.count() == 0
    assert _session_user_id(client) is None


def test_sign_up_with_a_taken_email_is_refused_on_the_email_field(client):
    UserFactory(username="hoa@example.vn", email="hoa@example.vn")
    response = client.post(reverse("account:signup"), SIGNUP)
    assert response.context["form"].errors["email"] == [
        "An account with this email already exists."
    ]
    assert get_user_model().objects.count() == 1


def test_sign_up_page_in_vietnamese_by_default(db):
    from django.test import Client

    response = Client().get(reverse("account:signup"))
    assert response.status_code == 200
    assert '<html lang="vi">' in response.content.decode()


# --- sign in, rate limit, sign out --------------------------------------------------------------


def _login(client, email, password, ip="203.0.113.7"):
    return client.post(
        reverse("account:login"), {"username": email, "password": password}, REMOTE_ADDR=ip
    )


@pytest.fixture
def hoa(db):
    return UserFactory(username="hoa@example.vn", email="hoa@example.vn")


def test_sign_in_with_email_and_password(client, hoa):
    response = _login(client, "HOA@example.vn", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("account:my_account")
    assert _session_user_id(client) == str(hoa.pk)


def test_sign_in_with_the_email_of_an_account_whose_username_differs(client):
    admin_made = UserFactory(username="hoa-admin", email="Hoa.Admin@example.vn")
    response = _login(client, "hoa.admin@example.vn", PASSWORD)
    assert response.status_code == 302
    assert _session_user_id(client) == str(admin_made.pk)


def test_wrong_password_is_refused(client, hoa):
    response = _login(client, "hoa@example.vn", "wrong")
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "The email or password is not right. The password is case-sensitive."
    ]
    assert _session_user_id(client) is None


def test_sixth_failed_attempt_is_rate_limited(client, hoa):
    for _attempt in range(5):
        assert _login(client, "hoa@example.vn", "wrong").status_code == 200
    response = _login(client, "hoa@example.vn", "wrong")
    assert response.status_code == 429
    assert 890 <= int(response["Retry-After"]) <= 900
    assert response.context["rate_limit_message"] == "Too many attempts, try again in 15 minutes."
    assert "Too many attempts, try again in 15 minutes." in response.content.decode()
    # Blocked means blocked: even the right password is not checked now.
    response = _login(client, "hoa@example.vn", PASSWORD)
    assert response.status_code == 429
    assert _session_user_id(client) is None


def test_rate_limit_is_per_email_and_address(client, hoa):
    other = UserFactory(username="lan@example.vn", email="lan@example.vn")
    for _attempt in range(5):
        _login(client, "hoa@example.vn", "wrong")
    assert _login(client, "lan@example.vn", "wrong").status_code == 200
    assert _login(client, "hoa@example.vn", PASSWORD, ip="198.51.100.1").status_code == 302
    client.logout()
    response = _login(client, "lan@example.vn", PASSWORD)
    assert response.status_code == 302
    assert _session_user_id(client) == str(other.pk)


def test_a_successful_sign_in_clears_the_count(client, hoa):
    for _attempt in range(4):
        _login(client, "hoa@example.vn", "wrong")
    assert _login(client, "hoa@example.vn", PASSWORD).status_code == 302
    client.logout()
    for _attempt in range(5):
        assert _login(client, "hoa@example.vn", "wrong").status_code == 200
    assert _login(client, "hoa@example.vn", "wrong").status_code == 429


def test_the_window_ends(client, hoa, monkeypatch):
    import time

    for _attempt in range(5):
        _login(client, "hoa@example.vn", "wrong")
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + 14 * 60 + 1)
    response = _login(client, "hoa@example.vn", "wrong")
    assert response.context["rate_limit_message"] == "Too many attempts, try again in 1 minute."


def test_sign_out_is_post_only(client, hoa):
    client.force_login(hoa)
    assert client.get(reverse("account:logout")).status_code == 405
    assert _session_user_id(client) == str(hoa.pk)
    response = client.post(reverse("account:logout"))
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert _session_user_id(client) is None


# --- password reset -----------------------------------------------------------------------------


def test_password_reset_email_and_link(client, hoa, django_capture_on_commit_callbacks):
    # The e-mail task is published when the request's work commits.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account:password_reset"), {"email": "hoa@example.vn"})
    assert response.status_code == 302
    assert response["Location"] == reverse("account:password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["hoa@example.vn"]
    assert message.subject == "Reset your OCOP Marketplace password"
    link = re.search(r"https?://testserver(/tai-khoan/dat-lai-mat-khau/\S+/)", message.body)
    assert link is not None, message.body

    response = client.get(link.group(1))  # redirects to the token-less "set-password" URL
    assert response.status_code == 302
    form_url = response["Location"]
    response = client.get(form_url)
    assert response.context["validlink"] is True
    response = client.post(
        form_url, {"new_password1": "tra-shan-tuyet-7", "new_password2": "tra-shan-tuyet-7"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("account:password_reset_complete")
    hoa.refresh_from_db()
    assert hoa.check_password("tra-shan-tuyet-7")
    # The link works once.
    response = client.get(link.group(1), follow=True)
    assert response.context["validlink"] is False


def test_password_reset_for_an_unknown_email_sends_nothing_and_says_the_same(client, hoa):
    response = client.post(reverse("account:password_reset"), {"email": "nobody@example.vn"})
    assert response["Location"] == reverse("account:password_reset_done")
    assert mail.outbox == []


def test_password_reset_requests_are_rate_limited(client, hoa, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for _attempt in range(5):
            client.post(reverse("account:password_reset"), {"email": "hoa@example.vn"})
        response = client.post(reverse("account:password_reset"), {"email": "hoa@example.vn"})
    assert response.status_code == 429
    assert len(mail.outbox) == 5


# --- my account ---------------------------------------------------------------------------------


def test_my_account_lists_memberships_and_applications(client, hoa):
    membership = MembershipFactory(
        user=hoa, role="owner", business__status=SellerStatus.VERIFIED, business__name="HTX Chè"
    )
    pending = SellerApplicationFactory(applicant=hoa, business__name="HTX Mật ong")
    SellerApplicationFactory(business__name="Someone else's")
    client.force_login(hoa)
    response = client.get(reverse("account:my_account"))
    assert response.status_code == 200
    assert list(response.context["memberships"]) == [membership]
    assert list(response.context["applications"]) == [pending]
    html = response.content.decode()
    assert "HTX Chè" in html and "HTX Mật ong" in html and "Someone else" not in html
    assert reverse("seller:activate", args=[membership.business.slug]) in html
    # Not selling yet: the workspace opens on the team page.
    assert f'<a href="{reverse("seller:team", args=[membership.business.slug])}">' in html


def test_my_account_opens_an_active_sellers_workspace_on_its_dashboard(client, hoa):
    membership = MembershipFactory(user=hoa, role="staff", business__status=SellerStatus.ACTIVE)
    client.force_login(hoa)
    html = client.get(reverse("account:my_account")).content.decode()
    assert f'<a href="/seller/{membership.business.slug}/">' in html
    assert reverse("seller:team", args=[membership.business.slug]) not in html


def test_my_account_needs_sign_in(client):
    response = client.get(reverse("account:my_account"))
    assert response.status_code == 302
    assert response["Location"] == reverse("account:login") + "?next=/tai-khoan/"

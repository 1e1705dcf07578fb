"""Account pages: sign up, sign in (rate limited), sign out, password reset, my account."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.generic import FormView

from core.ratelimit import FailureLimit, OutageWait, client_ip
from core.text import nfc
from sellers.account_links import account_links
from sellers.errors import SellerError
from sellers.forms import (
    EmailAuthenticationForm,
    QueuedPasswordResetForm,
    SignUpForm,
    add_service_error,
)
from sellers.selectors import memberships_for_user, seller_applications_for_user
from sellers.services import user_register

# Passed to login() explicitly: the user was not returned by authenticate(), and naming the
# backend keeps working if the project ever adds a second one.
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"

# Five wrong passwords for one email from one address per 15 minutes; a higher ceiling per
# address stops one client from walking through many emails.
# Sign-in fails closed: with the counters unreachable, password guessing would be unlimited.
LOGIN_PER_EMAIL_AND_IP = FailureLimit("login-email-ip", limit=5, window=15 * 60, on_outage="closed")
LOGIN_PER_IP = FailureLimit("login-ip", limit=50, window=15 * 60, on_outage="closed")
# Password-reset emails: each request sends mail to a real person, so a client may ask only a
# few times per hour.
PASSWORD_RESET_PER_IP = FailureLimit(
    "password-reset-ip", limit=5, window=60 * 60, on_outage="closed"
)


def _safe_next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _wait_message(seconds: int) -> str:
    if isinstance(seconds, OutageWait):
        return _(
            "This is paused for a minute while part of the service is restored. "
            "Please try again shortly."
        )
    minutes = max(1, -(-seconds // 60))  # rounded up: "try again in 0 minutes" helps no one
    return ngettext(
        "Too many attempts, try again in %(minutes)d minute.",
        "Too many attempts, try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}


def _too_many(view, wait: int, *, form):
    """HTTP 429 with the page's form (unbound: nothing was checked) and the wait in minutes."""
    context = view.get_context_data(form=form, rate_limit_message=_wait_message(wait))
    # Counters unreachable (the limit fails closed): the service, not the client, is at fault.
    response = view.render_to_response(context, status=503 if isinstance(wait, OutageWait) else 429)
    response["Retry-After"] = str(wait)
    return response


class SignUpView(FormView):
    template_name = "account/signup.html"
    form_class = SignUpForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            return redirect(_safe_next(request))
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            user = user_register(
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password1"],
                full_name=form.cleaned_data["full_name"],
            )
        except SellerError as exc:
            add_service_error(form, exc)
            return self.form_invalid(form)
        login(self.request, user, backend=MODEL_BACKEND)
        messages.success(self.request, _("Welcome! Your account is ready."))
        return redirect(_safe_next(self.request))

    def get_context_data(self, **kwargs):
        return super().get_context_data(next=_safe_next(self.request), **kwargs)


class SignInView(auth_views.LoginView):
    """Django's sign-in, with failed attempts counted per email + client address.

    Only failures count, and a success clears the email's counter, so a person who mistypes a
    few times and then gets in starts afresh. Blocked attempts are refused before the password
    is checked: a guesser learns nothing from them, not even a right guess.
    """

    template_name = "account/login.html"
    form_class = EmailAuthenticationForm
    redirect_authenticated_user = True

    def _keys(self) -> tuple[str, str]:
        return nfc(self.request.POST.get("username", "")).lower(), client_ip(self.request)

    def post(self, request, *args, **kwargs):
        email, ip = self._keys()
        wait = max(LOGIN_PER_EMAIL_AND_IP.retry_after(email, ip), LOGIN_PER_IP.retry_after(ip))
        if wait:
            return _too_many(self, wait, form=self.form_class(request, initial={"username": email}))
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        email, ip = self._keys()
        if email:
            LOGIN_PER_EMAIL_AND_IP.fail(email, ip)
        LOGIN_PER_IP.fail(ip)
        return super().form_invalid(form)

    def form_valid(self, form):
        email, ip = self._keys()
        LOGIN_PER_EMAIL_AND_IP.reset(email, ip)
        return super().form_valid(form)


class SignOutView(auth_views.LogoutView):
    """POST only (Django's LogoutView refuses GET): a link on another site cannot sign you out."""

    template_name = "account/logged_out.html"


class PasswordResetView(auth_views.PasswordResetView):
    form_class = QueuedPasswordResetForm
    template_name = "account/password_reset_form.html"
    email_template_name = "account/email/password_reset.txt"
    subject_template_name = "account/email/password_reset_subject.txt"
    success_url = reverse_lazy("account:password_reset_done")

    def post(self, request, *args, **kwargs):
        # Every request may send a real person an email: a client gets a few per hour.
        ip = client_ip(request)
        wait = PASSWORD_RESET_PER_IP.spend(ip)
        if wait:
            return _too_many(self, wait, form=self.form_class())
        return super().post(request, *args, **kwargs)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "account/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "account/password_reset_confirm.html"
    success_url = reverse_lazy("account:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "account/password_reset_complete.html"


@login_required
def my_account(request):
    return render(
        request,
        "account/my_account.html",
        {
            "memberships": memberships_for_user(user=request.user).order_by("business__name"),
            "applications": seller_applications_for_user(user=request.user),
            "other_links": account_links(user=request.user),
        },
    )

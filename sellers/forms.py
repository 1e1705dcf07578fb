"""Forms of the account and seller pages. They validate input shape only; the rules (tax code
matches the registry, one owner at least, …) live in ``sellers.services``, whose errors are put
back on the right field with ``add_service_error``."""

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.template import loader
from django.utils.translation import gettext_lazy as _

from core.forms import ProvinceChoiceField
from core.mail import email_queue
from core.text import nfc
from sellers.errors import SellerError
from sellers.models import LegalType, MembershipRole, SellerType
from sellers.services import TOKEN_NAME_MAX, contact_phone_normalise, tax_code_normalise


def add_service_error(form: forms.Form, error: SellerError) -> None:
    """Show a service's error on the field it names, or above the form when it names none the
    form has (e.g. "business")."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, str(error.message))


def _service_check(check, value: str) -> str:
    try:
        return check(value)
    except SellerError as exc:
        raise forms.ValidationError(str(exc.message), code=exc.code) from exc


# --- accounts -----------------------------------------------------------------------------------


class SignUpForm(forms.Form):
    email = forms.EmailField(
        label=_("Email"),
        max_length=150,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    full_name = forms.CharField(
        label=_("Full name"),
        max_length=300,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_email(self):
        return nfc(self.cleaned_data["email"]).lower()

    def clean_full_name(self):
        return nfc(self.cleaned_data["full_name"])

    def clean(self):
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2:
            if password1 != password2:
                self.add_error("password2", _("The two passwords do not match."))
            else:
                # An unsaved user so the similarity validator can compare with email and name.
                name = cleaned.get("full_name", "")
                user = get_user_model()(
                    username=cleaned.get("email", ""), email=cleaned.get("email", ""),
                    first_name=name,
                )  # fmt: skip
                try:
                    password_validation.validate_password(password2, user)
                except forms.ValidationError as exc:
                    self.add_error("password2", exc)
        return cleaned


class EmailAuthenticationForm(AuthenticationForm):
    """Django's sign-in form with the email as the user name.

    Accounts made by ``user_register`` have username = email; accounts made in the admin may not,
    so an email that is not a username is looked up by the account's email (when unique).
    """

    error_messages = {
        **AuthenticationForm.error_messages,
        # Django's wording names the "username", which our users never see.
        "invalid_login": _("The email or password is not right. The password is case-sensitive."),
    }
    username = forms.EmailField(
        label=_("Email"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )

    def clean_username(self):
        email = nfc(self.cleaned_data["username"]).lower()
        User = get_user_model()
        if User.objects.filter(username=email).exists():
            return email
        usernames = list(
            User.objects.filter(email__iexact=email).values_list("username", flat=True)[:2]
        )
        return usernames[0] if len(usernames) == 1 else email


class QueuedPasswordResetForm(PasswordResetForm):
    """Django's reset form whose e-mail is sent by the e-mail task, not inside the request."""

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        email_queue(subject=subject, body=body, to=[to_email], from_email=from_email)


# --- claiming and applying ----------------------------------------------------------------------


class _ContactFields(forms.Form):
    contact_name = forms.CharField(
        label=_("Contact name"),
        max_length=255,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    contact_phone = forms.CharField(
        label=_("Contact phone"),
        max_length=20,
        help_text=_("0912345678 or +84912345678"),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )

    def clean_contact_phone(self):
        return _service_check(contact_phone_normalise, self.cleaned_data["contact_phone"])

    def clean_tax_code(self):
        return _service_check(tax_code_normalise, self.cleaned_data["tax_code"])


class ClaimForm(_ContactFields):
    tax_code = forms.CharField(
        label=_("Tax code"),
        max_length=20,
        help_text=_("As on the business registration certificate."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autofocus": True}),
    )
    evidence = forms.CharField(
        label=_("Registry details"),
        required=False,
        max_length=5000,
        help_text=_(
            "Registration certificate number and date, the OCOP decision, anything that helps "
            "us confirm you represent this business."
        ),
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    field_order = ["tax_code", "contact_name", "contact_phone", "evidence"]


class ApplyForm(_ContactFields):
    name = forms.CharField(label=_("Business name"), max_length=255)
    legal_type = forms.ChoiceField(label=_("Legal type"), choices=LegalType.choices)
    tax_code = forms.CharField(
        label=_("Tax code"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    province = ProvinceChoiceField(
        label=_("Province / city"),
        help_text=_("The province since 1 July 2025 (34 provinces and cities)."),
    )
    commune = forms.CharField(label=_("Commune / ward"), max_length=255)
    street = forms.CharField(label=_("Street address"), max_length=255, required=False)
    seller_type = forms.ChoiceField(label=_("Seller type"), choices=SellerType.choices)
    evidence = forms.CharField(
        label=_("Registration details"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    field_order = [
        "name",
        "legal_type",
        "tax_code",
        "seller_type",
        "province",
        "commune",
        "street",
        "contact_name",
        "contact_phone",
        "evidence",
    ]


class ActivateForm(forms.Form):
    accept_terms = forms.BooleanField(
        label=_("I have read and accept the seller terms on behalf of this business."),
        error_messages={"required": _("Accept the seller terms to start selling.")},
    )


# --- team and tokens ----------------------------------------------------------------------------


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("Email"), max_length=254)
    role = forms.ChoiceField(
        label=_("Role"), choices=MembershipRole.choices, initial=MembershipRole.STAFF
    )

    def clean_email(self):
        return nfc(self.cleaned_data["email"]).lower()


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=MembershipRole.choices)


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"),
        max_length=TOKEN_NAME_MAX,
        help_text=_("Who or what uses it, e.g. “Provincial portal”."),
    )


# --- admin --------------------------------------------------------------------------------------


class RejectApplicationsForm(forms.Form):
    note = forms.CharField(
        label=_("Why are the applications rejected?"),
        help_text=_("The applicant sees this note on their account page."),
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
    )

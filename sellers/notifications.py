"""E-mail to the person who claimed a business or applied with a new one, once staff have
reviewed it: written in the language the application was sent in, and sent by the e-mail task
(``core.mail.email_queue``) after the review commits — never if it rolls back, and a mail server
that is down delays the message without undoing the review."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from core.mail import email_queue
from core.site import site_url
from sellers.models import ApplicationStatus, SellerApplication


def application_decision_notify(*, application: SellerApplication) -> None:
    """Queue the approval or rejection e-mail of ``application`` (reviewed) to its applicant;
    nothing when the applicant has no address."""
    address = application.applicant.email
    if not address:
        return
    approved = application.status == ApplicationStatus.APPROVED
    with translation.override(application.language or "vi"):
        values = {"business": application.business.name}
        subject = (
            _("Your application for %(business)s is approved") % values
            if approved
            else _("Your application for %(business)s was not approved") % values
        )
        body = render_to_string(
            "sellers/email/application_decision.txt",
            {
                "application": application,
                "approved": approved,
                "link": site_url() + reverse("account:my_account"),
            },
        )
    email_queue(subject=subject, body=body, to=[address], user=application.reviewed_by)

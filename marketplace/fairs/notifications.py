"""E-mails to exhibitors, rendered after the transaction commits, in the language each applied
in, and sent by the e-mail task (``core.mail.email_queue``) with retries."""

from __future__ import annotations

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from core.mail import email_queue
from core.site import site_url
from marketplace.fairs.models import ExhibitorApplication
from sellers.models import Membership

SUBJECTS = {
    "cancelled": _("%(fair)s has been cancelled"),
    "accepted": _("Your booth at %(fair)s"),
    "waitlisted": _("Your application to %(fair)s is on the waiting list"),
    "rejected": _("Your application to %(fair)s was not accepted"),
    "released": _("Your booth at %(fair)s has been released"),
    "expired": _("Your booth at %(fair)s was released: the fee was not paid in time"),
}


def _recipients(application: ExhibitorApplication) -> list[str]:
    emails = list(
        Membership.objects.filter(business=application.seller, role__in=["owner", "manager"])
        .exclude(user__email="")
        .values_list("user__email", flat=True)
    )
    if application.seller.email and application.seller.email not in emails:
        emails.append(application.seller.email)
    return emails


def application_notify(*, application_ids: list[int], event: str) -> None:
    """Queue the ``event`` e-mail for each application; nothing is sent if the caller's
    transaction rolls back, and a mail server that is down never undoes the change."""
    if not application_ids:
        return
    origin = site_url()
    ids = list(application_ids)
    transaction.on_commit(lambda: _send(ids, event, origin), robust=True)


def _send(application_ids: list[int], event: str, origin: str) -> None:
    applications = ExhibitorApplication.objects.filter(pk__in=application_ids).select_related(
        "fair", "seller"
    )
    for application in applications:
        recipients = _recipients(application)
        if not recipients:
            continue
        live = list(
            application.assignments.filter(released_at__isnull=True)
            .select_related("booth")
            .order_by("booth__code")
        )
        booths = [a.booth.code for a in live]
        fees = [a for a in live if a.fee_state == "due"]
        with translation.override(application.language):
            subject = str(SUBJECTS[event]) % {"fair": application.fair.name}
            body = render_to_string(
                "fairs/email/application_update.txt",
                {
                    "application": application,
                    "fair": application.fair,
                    "event": event,
                    "booths": booths,
                    "fees": fees,
                    "link": origin + application.fair.get_absolute_url(),
                },
            )
        email_queue(subject=subject, body=body, to=recipients)

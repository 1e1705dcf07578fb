"""Reminders to certificate holders, sent by the daily job (``catalog.certificates_daily``):

- re-evaluation: a certificate enters the current framework's re-evaluation window
  (``certificates_entering_reevaluation``, e.g. 180 to 120 days before expiry);
- expired: a certificate's validity ran out in the last 30 days (``certificates_recently_expired``).

Each holder hears about each certificate once per kind: a ``CertificateReminder`` row is written
in the transaction that queues the e-mail (``core.mail.email_queue``), and the unique
(certificate, kind) constraint stops a second daily run, or a second worker, from telling twice.
One e-mail per holder and kind lists all its certificates that came due together. Recipients:
the business's owners and managers, else the business's own e-mail; a holder with neither is
recorded as reminded with no recipients (nothing to retry tomorrow).
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from catalog.models import Certificate, CertificateReminder, ReminderKind
from catalog.rules import in_force_q
from catalog.selectors import (
    certificates_entering_reevaluation,
    certificates_recently_expired,
    reevaluation_window,
)
from catalog.services import certificate_expire_due
from core.mail import email_queue
from core.site import site_url
from sellers.models import Business, Membership


def _subject(kind: str, business: Business) -> str:
    # Marked for translation where the catalog reads them (gettext on the msgid at send time).
    if kind == ReminderKind.REEVALUATION:
        text = _("OCOP certificate re-evaluation due: %(business)s")
    else:
        text = _("OCOP certificate expired: %(business)s")
    return text % {"business": business.name}


def _recipients(business: Business) -> list[str]:
    emails = sorted(
        set(
            Membership.objects.filter(business=business, role__in=["owner", "manager"])
            .exclude(user__email="")
            .values_list("user__email", flat=True)
        )
    )
    if not emails and business.email:
        emails = [business.email]
    return emails


def _due(kind: str, today: datetime.date) -> QuerySet[Certificate]:
    if kind == ReminderKind.REEVALUATION:
        certificates = certificates_entering_reevaluation(today=today)
    else:
        # A late filer's kept validity (26/2026 Art. 12) is still in force: not expired yet.
        certificates = certificates_recently_expired(today=today).exclude(in_force_q(today))
    return certificates.exclude(reminders__kind=kind).order_by(
        "product__holder_id", "valid_until", "number"
    )


def certificate_reminders_send(*, kind: str, today: datetime.date) -> int:
    """Queue one e-mail per holder with certificates newly due for ``kind``; returns how many
    certificates were reminded (recorded) this run."""
    by_holder: dict[int, list[Certificate]] = defaultdict(list)
    for certificate in _due(kind, today).select_related("product__holder"):
        by_holder[certificate.product.holder_id].append(certificate)
    window = reevaluation_window(today=today) if kind == ReminderKind.REEVALUATION else None
    origin = site_url()
    reminded = 0
    for certificates in by_holder.values():
        business = certificates[0].product.holder
        recipients = _recipients(business)
        try:
            with transaction.atomic():
                rows = CertificateReminder.objects.bulk_create(
                    [
                        CertificateReminder(certificate=c, kind=kind, recipients=recipients)
                        for c in certificates
                    ]
                )
                if recipients:
                    with translation.override(settings.LANGUAGE_CODE):
                        body = render_to_string(
                            "catalog/email/certificate_reminder.txt",
                            {
                                "business": business,
                                "kind": kind,
                                "certificates": [
                                    (c, (c.valid_until - today).days) for c in certificates
                                ],
                                "window": window,
                                "origin": origin,
                            },
                        )
                        job = email_queue(
                            subject=_subject(kind, business), body=body, to=recipients
                        )
                    CertificateReminder.objects.filter(pk__in=[r.pk for r in rows]).update(job=job)
        except IntegrityError:
            # Another run recorded these first: it sent the e-mail.
            continue
        reminded += len(certificates)
    return reminded


def certificates_daily_run(*, today: datetime.date) -> dict[str, int]:
    """The daily registry job: record expired certificates, then remind their holders (and the
    holders of certificates entering the re-evaluation window), each once."""
    expired = certificate_expire_due(today=today)
    return {
        "expired": expired,
        "reminded_reevaluation": certificate_reminders_send(
            kind=ReminderKind.REEVALUATION, today=today
        ),
        "reminded_expired": certificate_reminders_send(kind=ReminderKind.EXPIRED, today=today),
    }

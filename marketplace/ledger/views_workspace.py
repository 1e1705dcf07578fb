"""The seller's ledger page: owners and managers only (it is the business's money)."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext as _

from marketplace.ledger.selectors import ledger_entries, ledger_totals, payouts_of
from marketplace.ledger.services import commission_rate_of
from marketplace.offers.views import Workspace

ENTRIES_PER_PAGE = 50


@login_required
def ledger(request, slug):
    ws = Workspace(request, slug)
    if not ws.can_manage:
        return render(
            request,
            "workspace/offers/denied.html",
            ws.context(message=_("Only owners and managers see the ledger.")),
            status=403,
        )
    page = Paginator(ledger_entries(seller=ws.business), ENTRIES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "ledger/ledger.html",
        ws.context(
            page=page,
            entries=list(page.object_list),
            totals=ledger_totals(seller=ws.business),
            payouts=list(payouts_of(seller=ws.business)[:10]),
            rate=commission_rate_of(seller=ws.business),
        ),
    )

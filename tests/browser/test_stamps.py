"""A cooperative orders stamps for a batch (one run however often the form is sent) and a buyer
opens a stamp's scan page in a fresh browser."""

import re

from django.test import Client

from sellers.models import SellerStatus
from tests.factories import BusinessFactory
from tests.factories_traceability import traced_product
from traceability.models import StampRun


def test_order_stamps_then_a_buyer_scans_one(open_context, viewport):
    # The suite's data is committed, not rolled back: each viewport brings its own cooperative.
    holder = BusinessFactory(name=f"HTX Mật ong Tiên Yên {viewport}", status=SellerStatus.ACTIVE)
    traced = traced_product(
        name=f"Mật ong rừng Tiên Yên {viewport}", lot_code=f"L-{viewport}", holder=holder
    )
    seller = open_context(viewport, "vi")
    session = Client()
    session.force_login(traced.owner)
    seller.context.add_cookies(
        [{"name": "sessionid", "value": session.cookies["sessionid"].value, "url": seller.site}]
    )
    page = seller.page
    seller.goto(f"/seller/{traced.holder.slug}/batches/{traced.batch.pk}/stamps/new/")
    page.fill("#id_quantity", "20")
    page.locator("#run-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/stamp-runs/\d+/"))
    seller.check()
    (run,) = StampRun.objects.filter(batch=traced.batch)
    assert run.quantity == 20
    urls = page.locator("[data-stamp-url]").all_inner_texts()
    assert len(urls) == 20

    buyer = open_context(viewport, "vi")
    path = "/" + urls[0].split("/", 3)[3]  # HTTP://HOST:PORT/S/CODE, as a phone camera reads it
    buyer.goto(path)
    assert "Mật ong rừng Tiên Yên" in buyer.page.locator("main").inner_text()

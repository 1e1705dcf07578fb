"""A producer records that a new lot was made from two of its lots and packs two stamped items
of the new lot into a carton; a buyer who scans an item of the new lot sees what it was made
from and its carton, and one who scans an item of an input lot sees the lot it went into
(phone + vi, desktop + en)."""

import datetime
import re

import pytest
from django.test import Client
from django.utils import timezone

from sellers.models import SellerStatus
from tests.factories import BusinessFactory
from tests.factories_traceability import traced_product
from traceability import signing
from traceability.models import Stamp
from traceability.services import batch_create, stamp_run_create

TEXT = {
    "vi": {
        "made_from": "Làm từ:",
        "used_in": "Đã dùng để làm lô khác",
        "went_into": "đã dùng để làm lô",
    },
    "en": {
        "made_from": "Made from:",
        "used_in": "Used to make other lots",
        "went_into": "went into lot",
    },
}


def _signed_in(open_context, viewport, language, user):
    visit = open_context(viewport, language)
    session = Client()
    session.force_login(user)
    visit.context.add_cookies(
        [{"name": "sessionid", "value": session.cookies["sessionid"].value, "url": visit.site}]
    )
    return visit


def _stamps(traced, batch, count):
    run, _pins = stamp_run_create(actor=traced.owner, batch=batch, quantity=count)
    return list(Stamp.objects.filter(run=run).order_by("id"))


@pytest.mark.parametrize(("viewport", "language"), [("phone", "vi"), ("desktop", "en")])
def test_a_blend_and_a_carton_recorded_then_both_lots_tell_the_buyer(
    open_context, viewport, language
):
    # The suite's data is committed: each viewport brings its own cooperative and lots.
    holder = BusinessFactory(name=f"HTX Mật ong Bình Liêu {viewport}", status=SellerStatus.ACTIVE)
    traced = traced_product(
        name=f"Mật ong Bình Liêu {viewport}", lot_code=f"BLEND-{viewport}", holder=holder
    )
    blend = traced.batch
    raw = [
        batch_create(
            actor=traced.owner,
            variant=traced.variant,
            lot_code=f"RAW{n}-{viewport}",
            produced_on=datetime.date(2026, 10, 20 + n),
            quantity=50,
        )
        for n in (1, 2)
    ]
    when = timezone.localtime() - datetime.timedelta(days=1)
    slug = holder.slug

    producer = _signed_in(open_context, viewport, language, traced.owner)
    page = producer.page
    producer.goto(f"/seller/{slug}/batches/{blend.pk}/")
    page.locator(f"a[href='/seller/{slug}/batches/{blend.pk}/made-from/']").click()
    page.wait_for_url(re.compile(r"/made-from/$"))
    producer.check()
    page.fill("#id_event_time", when.strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_address", "Xưởng chiết rót Bình Liêu")
    page.fill("#id_quantity", "20")
    page.select_option("#id_unit", "KGM")
    for row, (lot, used) in enumerate(zip(raw, ("12", "8.5"), strict=True)):
        page.select_option(f"#id_input_{row}_batch", str(lot.pk))
        page.fill(f"#id_input_{row}_quantity", used)
        page.select_option(f"#id_input_{row}_unit", "KGM")
    page.locator("#transformation-form button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/batches/{blend.pk}/$"))
    producer.check()
    timeline = page.locator(".timeline").inner_text()
    assert TEXT[language]["made_from"] in timeline
    assert f"RAW1-{viewport}" in timeline and f"RAW2-{viewport}" in timeline

    stamps = _stamps(traced, blend, 3)
    page.locator(f"a[href='/seller/{slug}/batches/{blend.pk}/cartons/']").click()
    page.wait_for_url(re.compile(r"/cartons/$"))
    producer.check()
    page.fill("#id_event_time", when.strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_address", "Kho Bình Liêu")
    page.fill("#id_serials", f"{stamps[0].serial}\n{stamps[1].serial}")
    page.locator("#carton-form button[type=submit]").click()
    page.wait_for_selector("#cartons li")
    producer.check()
    carton = page.locator("#cartons li").first.get_attribute("data-carton")
    assert Stamp.objects.filter(carton__code=carton).count() == 2

    # A buyer scans an item of the new lot: what it was made from, and its carton.
    buyer = open_context(viewport, language)
    buyer.goto(f"/s/{signing.stamp_code(stamps[0])}/")
    story = buyer.page.locator("#timeline").inner_text()
    assert TEXT[language]["made_from"] in story
    assert f"RAW1-{viewport}" in story and f"RAW2-{viewport}" in story
    assert carton in story
    assert buyer.page.locator(f"[data-carton='{carton}']").is_visible()

    # Another scans an item of an input lot: the lot it went into, when and how much.
    (raw_stamp,) = _stamps(traced, raw[0], 1)
    buyer.goto(f"/s/{signing.stamp_code(raw_stamp)}/")
    went = buyer.page.locator(f"#used-in [data-output-lot='BLEND-{viewport}']")
    assert went.is_visible()
    text = went.inner_text()
    assert TEXT[language]["went_into"] in text and "KGM" in text
    assert when.strftime("%d/%m/%Y") in text
    assert TEXT[language]["used_in"] in buyer.page.locator("#used-in").inner_text()

"""The traceability workspace pages over HTTP: batches, the provenance timeline and its
corrections, ordering stamps and downloading the files to print — with the roles, other sellers
and anonymous visitors kept out, and constant SQL on the list pages."""

import csv
import datetime
import io
import re
import uuid

import pypdf
import pytest
import zxingcpp
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from catalog.models import RevocationGround
from sellers.models import MembershipRole, SellerStatus
from tests.factories import (
    BusinessFactory,
    MembershipFactory,
    ResaleAuthorizationFactory,
    StockLocationFactory,
    UserFactory,
    revoke_certificate,
)
from tests.factories_traceability import event_for, stamps_for, traced_product
from traceability import signing
from traceability.models import Batch, ProvenanceEvent, Stamp, StampRun
from traceability.services import batch_create, stamp_run_print_render, stamp_run_print_start

pytestmark = pytest.mark.django_db


@pytest.fixture
def traced():
    return traced_product()


def other_producer():
    holder = BusinessFactory(name="HTX Trà hoa vàng Ba Chẽ", status=SellerStatus.ACTIVE)
    return traced_product(holder=holder, lot_code="L-OTHER", name="Trà hoa vàng")


def url(name, traced, *args):
    return reverse(f"traceability_workspace:{name}", args=[traced.holder.slug, *args])


def signed_in(client, user):
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def owner(client, traced):
    return signed_in(client, traced.owner)


def print_url(traced, run, kind="pdf", *, layout="a4-5x13", link="short", draw=False):
    """The URL of the run's one-PDF print (started, and drawn when ``draw``): the one download
    path of every run."""
    stamp_print = stamp_run_print_start(actor=traced.owner, run=run, layout=layout, link=link)
    if draw:
        stamp_run_print_render(job_id=stamp_print.job_id, print_id=stamp_print.pk)
    return url("stamp_run_print_file", traced, run.pk, stamp_print.pk, kind)


def body_of(response) -> bytes:
    return b"".join(response.streaming_content)


def test_routes(traced):
    slug = traced.holder.slug
    assert url("batch_list", traced) == f"/seller/{slug}/batches/"
    assert url("batch_detail", traced, 7) == f"/seller/{slug}/batches/7/"
    assert url("stamp_run_list", traced, 7) == f"/seller/{slug}/batches/7/stamps/"
    assert (
        url("stamp_run_print_file", traced, 3, 4, "pdf")
        == f"/seller/{slug}/stamp-runs/3/prints/4.pdf"
    )
    assert url("stamp_png", traced, 3, "ABC") == f"/seller/{slug}/stamp-runs/3/stamps/ABC.png"


# --- batches -------------------------------------------------------------------------------------


def test_batch_list_shows_the_businesses_batches_with_counts(owner, traced):
    event_for(traced)
    stamps_for(traced, 3)
    stamps_for(traced, 2)
    other = other_producer()  # another producer's batch
    response = owner.get(url("batch_list", traced))
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        f'id="batch-{traced.batch.pk}" data-lot="L2611-A" data-events="1" data-stamps="5"' in html
    )
    assert f'id="batch-{other.batch.pk}"' not in html
    assert reverse("traceability_workspace:batch_list", args=[traced.holder.slug]) in html  # nav


def _more_batches(traced, count):
    for i in range(count):
        batch = batch_create(
            actor=traced.owner,
            variant=traced.variant,
            lot_code=f"L-{i}",
            produced_on=datetime.date(2026, 10, 1),
            quantity=10,
        )
        event_for(traced)
        ProvenanceEvent.objects.filter(pk=ProvenanceEvent.objects.latest("id").pk).update(
            batch=batch
        )


@pytest.mark.parametrize("extra", [0, 6])
def test_batch_list_runs_constant_sql(owner, traced, django_queries, extra):
    _more_batches(traced, extra)
    stamps_for(traced, 2)
    owner.get(url("batch_list", traced))  # warm the session
    # session, user, business, membership, batches with their counts
    with django_queries(5):
        response = owner.get(url("batch_list", traced))
    assert response.content.decode().count('class="batch-row"') == 1 + extra


def test_create_batch(owner, traced):
    response = owner.post(
        url("batch_create", traced),
        {
            "variant": traced.variant.pk,
            "lot_code": "L2611-C",
            "produced_on": "2026-11-10",
            "expires_on": "2027-11-10",
            "quantity": "1200",
            "origin_province": "22",
            "origin_commune": "xã Đồng Rui",
        },
    )
    batch = Batch.objects.get(lot_code="L2611-C")
    assert response.status_code == 302
    assert response["Location"] == url("batch_detail", traced, batch.pk)
    assert (batch.variant, batch.quantity, batch.certificate, batch.created_by) == (
        traced.variant,
        1200,
        traced.certificate,
        traced.owner,
    )


def test_create_batch_shows_service_errors_on_the_field(owner, traced):
    before = Batch.objects.count()
    response = owner.post(
        url("batch_create", traced),
        {
            "variant": traced.variant.pk,
            "lot_code": "L2611-A",  # already used for this pack
            "produced_on": "2026-11-10",
            "quantity": "10",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "lot_code": ["This pack already has a batch with lot code L2611-A."]
    }
    assert Batch.objects.count() == before


def test_create_batch_offers_only_the_businesses_own_packs(owner, traced):
    other = other_producer()
    response = owner.get(url("batch_create", traced))
    assert list(response.context["form"].fields["variant"].queryset) == [traced.variant]
    before = Batch.objects.count()
    response = owner.post(
        url("batch_create", traced),
        {
            "variant": other.variant.pk,
            "lot_code": "X1",
            "produced_on": "2026-11-10",
            "quantity": "1",
        },
    )
    assert response.status_code == 200
    assert "variant" in response.context["form"].errors
    assert Batch.objects.count() == before


# --- permissions ---------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client, traced):
    run, stamps, _pins = stamps_for(traced, 1)
    for target in (
        url("batch_list", traced),
        url("batch_detail", traced, traced.batch.pk),
        url("stamp_run_list", traced, traced.batch.pk),
        print_url(traced, run, "pdf"),
        print_url(traced, run, "csv"),
        url("stamp_png", traced, run.pk, stamps[0].serial),
    ):
        response = client.get(target)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account:login"))


def test_another_seller_gets_404_everywhere(client, traced):
    run, stamps, _pins = stamps_for(traced, 1)
    event = event_for(traced)
    stranger = BusinessFactory(name="HTX Chè Đường Hoa", status=SellerStatus.ACTIVE)
    client = signed_in(client, MembershipFactory(business=stranger, role=MembershipRole.OWNER).user)
    for target in (
        url("batch_list", traced),
        url("batch_create", traced),
        url("batch_detail", traced, traced.batch.pk),
        url("event_correct", traced, traced.batch.pk, event.pk),
        url("stamp_run_list", traced, traced.batch.pk),
        url("stamp_run_create", traced, traced.batch.pk),
        url("stamp_run_detail", traced, run.pk),
        print_url(traced, run, "pdf"),
        print_url(traced, run, "csv"),
        url("stamp_png", traced, run.pk, stamps[0].serial),
        url("stamp_svg", traced, run.pk, stamps[0].serial),
    ):
        assert client.get(target).status_code == 404, target
    # Its own slug does not open the other business's objects either.
    own = reverse("traceability_workspace:batch_detail", args=[stranger.slug, traced.batch.pk])
    assert client.get(own).status_code == 404
    own_run = reverse("traceability_workspace:stamp_run_detail", args=[stranger.slug, run.pk])
    assert client.get(own_run).status_code == 404
    order = reverse(
        "traceability_workspace:stamp_run_create", args=[stranger.slug, traced.batch.pk]
    )
    assert client.post(order, {"quantity": "5", "layout": "a4-5x13"}).status_code == 404
    assert StampRun.objects.count() == 1


def test_buyer_and_site_staff_get_404(client, traced):
    for user in (UserFactory(), UserFactory(is_staff=True, is_superuser=True)):
        client = signed_in(client, user)
        assert client.get(url("batch_list", traced)).status_code == 404


def test_staff_member_sees_and_records_events_but_orders_and_downloads_nothing(client, traced):
    run, stamps, _pins = stamps_for(traced, 2)
    client = signed_in(client, traced.staff)
    assert client.get(url("batch_list", traced)).status_code == 200
    page = client.get(url("stamp_run_list", traced, traced.batch.pk)).content.decode()
    assert f'id="run-{run.pk}"' in page
    assert "/prints/" not in page
    batches, runs = Batch.objects.count(), StampRun.objects.count()
    assert client.get(url("batch_create", traced)).status_code == 403
    assert client.post(url("batch_create", traced), {"lot_code": "X"}).status_code == 403
    assert client.get(url("stamp_run_create", traced, traced.batch.pk)).status_code == 403
    response = client.post(url("stamp_run_create", traced, traced.batch.pk), {"quantity": "5"})
    assert response.status_code == 403
    for target in (
        print_url(traced, run, "pdf"),
        print_url(traced, run, "csv"),
        url("stamp_png", traced, run.pk, stamps[0].serial),
        url("stamp_svg", traced, run.pk, stamps[0].serial),
    ):
        assert client.get(target).status_code == 403, target
    assert (Batch.objects.count(), StampRun.objects.count()) == (batches, runs)
    # Recording an event is every member's job.
    response = client.post(
        url("batch_detail", traced, traced.batch.pk),
        {
            "business_step": "receiving",
            "event_time": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "address": "Kho xã Đồng Rui",
            "event_type": "object",
        },
    )
    assert response.status_code == 302
    assert ProvenanceEvent.objects.get().recorded_by == traced.staff


# --- provenance ----------------------------------------------------------------------------------


def test_record_an_event_with_local_time_and_own_location(owner, traced):
    location = StockLocationFactory(business=traced.holder, name="Kho Tiên Yên")
    response = owner.post(
        url("batch_detail", traced, traced.batch.pk),
        {
            "business_step": "packing",
            "event_time": "2026-11-20T08:30",
            "disposition": "in_progress",
            "location": location.pk,
            "note": "Đóng hũ",
            "event_type": "object",
        },
    )
    assert response.status_code == 302
    event = ProvenanceEvent.objects.get()
    assert event.event_time == datetime.datetime(2026, 11, 20, 1, 30, tzinfo=datetime.UTC)
    assert (event.event_timezone, event.location, event.note) == ("+07:00", location, "Đóng hũ")
    page = owner.get(url("batch_detail", traced, traced.batch.pk)).content.decode()
    assert f'id="event-{event.pk}" class="" data-step="packing"' in page


def test_event_errors_come_back_on_the_form(owner, traced):
    response = owner.post(
        url("batch_detail", traced, traced.batch.pk),
        {"business_step": "packing", "event_time": "2026-11-20T08:30", "event_type": "object"},
    )
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "address": ["Say where it happened: an address, one of your locations or coordinates."]
    }
    assert not ProvenanceEvent.objects.exists()


def test_correct_an_event_appends_and_keeps_the_original(owner, traced):
    original = event_for(traced, step="harvesting", note="200 kg")
    form = owner.get(url("event_correct", traced, traced.batch.pk, original.pk))
    assert form.context["form"].initial["note"] == "200 kg"
    response = owner.post(
        url("event_correct", traced, traced.batch.pk, original.pk),
        {
            "business_step": "harvesting",
            "event_time": timezone.localtime(original.event_time).strftime("%Y-%m-%dT%H:%M"),
            "address": original.address,
            "note": "210 kg",
            "event_type": "object",
        },
    )
    assert response.status_code == 302
    original.refresh_from_db()
    correction = ProvenanceEvent.objects.exclude(pk=original.pk).get()
    assert (original.note, correction.note, correction.corrects) == ("200 kg", "210 kg", original)
    page = owner.get(url("batch_detail", traced, traced.batch.pk)).content.decode()
    assert f'id="event-{original.pk}" class="corrected"' in page
    assert f'data-corrected-by="{correction.pk}"' in page
    assert f'data-corrects="{original.pk}"' in page
    # The corrected version cannot be corrected again: correct the latest.
    again = owner.post(
        url("event_correct", traced, traced.batch.pk, original.pk),
        {
            "business_step": "harvesting",
            "event_time": "2026-11-20T08:30",
            "address": "x",
            "event_type": "object",
        },
    )
    assert again.status_code == 200
    assert again.context["form"].non_field_errors() == [
        "This event has already been corrected; correct the latest version."
    ]
    assert ProvenanceEvent.objects.count() == 2


# --- stamp runs and files ------------------------------------------------------------------------


def test_order_stamps_without_pin_then_download_pdf_and_csv(
    owner, traced, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = owner.post(
            url("stamp_run_create", traced, traced.batch.pk),
            {"quantity": "70", "layout": "a4-5x13"},
        )
    run = StampRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("stamp_run_detail", traced, run.pk) + "?layout=a4-5x13"
    assert (run.quantity, run.with_pin, run.created_by) == (70, False, traced.owner)
    stamp_print = run.prints.get()

    pdf = owner.get(url("stamp_run_print_file", traced, run.pk, stamp_print.pk, "pdf"))
    assert pdf["Content-Type"] == "application/pdf"
    assert (
        pdf["Content-Disposition"]
        == f'attachment; filename="stamps-L2611-A-run{run.pk}-a4-5x13.pdf"'
    )
    reader = pypdf.PdfReader(io.BytesIO(body_of(pdf)))
    assert len(reader.pages) == 2
    text = "".join(page.extract_text() for page in reader.pages)
    serials = list(Stamp.objects.filter(run=run).order_by("id").values_list("serial", flat=True))
    assert all(serial in text for serial in serials)
    assert text.count("OCOP ★★★★") == 70  # the certificate in force, still active

    response = owner.get(url("stamp_run_print_file", traced, run.pk, stamp_print.pk, "csv"))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        response["Content-Disposition"] == f'attachment; filename="stamps-L2611-A-run{run.pk}.csv"'
    )
    body = body_of(response).decode("utf-8")
    assert body.startswith("\ufeffserial,url,gs1_digital_link,product_name,stars\r\n")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))[1:]
    assert [row[0] for row in rows] == serials
    gtin14 = traced.variant.gtin.zfill(14)
    for serial, link, gs1_link, name, stars in rows:
        code = link.rsplit("/", 1)[1]
        assert link == f"HTTP://127.0.0.1:8000/S/{code}"
        assert gs1_link == (
            f"http://127.0.0.1:8000/01/{gtin14}/10/L2611-A/21/{serial}?s={code[len(serial) :]}"
        )
        assert signing.stamp_code_verify(code=code) == (serial, run.key_id)
        assert (name, stars) == ("Mật ong rừng Tiên Yên — Hũ 500 g", "4")


def test_the_run_list_links_each_run_to_its_page_and_offers_no_pdf_parts(owner, traced):
    """One download path for every run: the run's page and its one-PDF prints, no parts."""
    run, _stamps, _pins = stamps_for(traced, 2000)
    html = owner.get(url("stamp_run_list", traced, traced.batch.pk)).content.decode()
    assert f'href="{url("stamp_run_detail", traced, run.pk)}">Stamps and files</a>' in html
    assert "part=" not in html and "stamps.pdf" not in html and "stamps.csv" not in html
    detail = owner.get(url("stamp_run_detail", traced, run.pk)).content.decode()
    assert "part=" not in detail and "stamps.pdf" not in detail and "stamps.csv" not in detail


def test_order_with_pins_prints_them_in_the_runs_one_pdf_and_csv(
    owner, traced, django_capture_on_commit_callbacks
):
    """PINs are derived (signing.pin_derive), so the background job prints them: the order
    answers the run's page like any run, and its files carry the PINs whose hashes are stored."""
    with django_capture_on_commit_callbacks(execute=True):
        response = owner.post(
            url("stamp_run_create", traced, traced.batch.pk),
            {"quantity": "30", "with_pin": "on", "layout": "a4-3x8"},
        )
    run = StampRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("stamp_run_detail", traced, run.pk) + "?layout=a4-3x8"
    stamp_print = run.prints.get()
    assert stamp_print.job.result == {"pages": 2, "stamps": 30, "pins": True}
    stem = f"stamps-L2611-A-run{run.pk}-PIN"
    csv_file = owner.get(url("stamp_run_print_file", traced, run.pk, stamp_print.pk, "csv"))
    assert csv_file["Content-Disposition"] == f'attachment; filename="{stem}.csv"'
    assert csv_file["Cache-Control"] == "private, no-store"
    rows = list(csv.DictReader(io.StringIO(body_of(csv_file).decode("utf-8-sig"))))
    stamps = {s.serial: s for s in Stamp.objects.filter(run=run)}
    assert len(rows) == 30 and {row["serial"] for row in rows} == set(stamps)
    for row in rows:  # the PIN in the file is the one whose hash is stored
        assert signing.pin_matches(
            serial=row["serial"], pin=row["pin"], stored=stamps[row["serial"]].pin_hash
        )
    pdf_file = owner.get(url("stamp_run_print_file", traced, run.pk, stamp_print.pk, "pdf"))
    assert pdf_file["Content-Disposition"] == f'attachment; filename="{stem}-a4-3x8.pdf"'
    pdf = pypdf.PdfReader(io.BytesIO(body_of(pdf_file)))
    assert len(pdf.pages) == 2  # 24 labels a sheet
    text = "".join(page.extract_text() for page in pdf.pages)
    assert all(row["pin"] in text for row in rows)


def test_order_form_errors_change_nothing(owner, traced):
    for quantity in ("0", "100001", "abc"):
        response = owner.post(
            url("stamp_run_create", traced, traced.batch.pk),
            {"quantity": quantity, "layout": "a4-5x13"},
        )
        assert response.status_code == 200
        assert "quantity" in response.context["form"].errors
    assert not StampRun.objects.exists()


def test_revoked_certificate_prints_no_stars(owner, traced):
    run, _stamps, _pins = stamps_for(traced, 3)
    revoke_certificate(certificate=traced.certificate, ground=RevocationGround.choices[0][0])
    body = body_of(owner.get(print_url(traced, run, "csv", draw=True))).decode()
    assert [line.rsplit(",", 1)[1] for line in body.splitlines()[1:]] == ["", "", ""]


def test_per_stamp_png_and_svg_decode_to_the_stamp_url(owner, traced):
    run, stamps, _pins = stamps_for(traced, 2)
    stamp = stamps[1]
    expected = signing.stamp_url_short(stamp)
    png = owner.get(url("stamp_png", traced, run.pk, stamp.serial))
    assert png["Content-Type"] == "image/png"
    assert png["Content-Disposition"] == f'attachment; filename="{stamp.serial}.png"'
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(png.content)))
    assert [result.text for result in decoded] == [expected]
    svg = owner.get(url("stamp_svg", traced, run.pk, stamp.serial))
    assert svg["Content-Type"] == "image/svg+xml"
    assert svg.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<svg ')
    assert owner.get(url("stamp_png", traced, run.pk, "NOSUCHSERIAL1")).status_code == 404
    other_run, _s, _p = stamps_for(traced, 1)
    assert owner.get(url("stamp_png", traced, other_run.pk, stamp.serial)).status_code == 404


@pytest.mark.parametrize("count", [3, 120])
def test_run_detail_pages_stamps_in_constant_sql(owner, traced, django_queries, count):
    run, stamps, _pins = stamps_for(traced, count)
    owner.get(url("stamp_run_detail", traced, run.pk))
    # session, user, business, membership, run, prints (with their jobs), count, stamps
    with django_queries(8):
        response = owner.get(url("stamp_run_detail", traced, run.pk))
    html = response.content.decode()
    assert html.count('<li id="stamp-') == min(count, 100)
    assert f'id="stamp-{stamps[0].serial}"' in html


def test_the_same_order_form_sent_twice_orders_one_run_and_shows_its_page(owner, traced):
    form = owner.get(url("stamp_run_create", traced, traced.batch.pk)).content.decode()
    submission = re.search(r'name="submission" value="([0-9a-f-]{36})"', form).group(1)
    data = {"quantity": "20", "layout": "a4-5x13", "submission": submission}
    first = owner.post(url("stamp_run_create", traced, traced.batch.pk), data)
    again = owner.post(url("stamp_run_create", traced, traced.batch.pk), data)
    run = StampRun.objects.get()
    assert (
        first["Location"]
        == again["Location"]
        == (url("stamp_run_detail", traced, run.pk) + "?layout=a4-5x13")
    )
    assert Stamp.objects.filter(run=run).count() == 20
    page = owner.get(again["Location"]).content.decode()
    assert page.count("data-stamp-url") == 20
    first_stamp = Stamp.objects.filter(run=run).order_by("id").first()
    assert (
        f'<code class="token" data-stamp-url>{signing.stamp_url_short(first_stamp)}</code>' in page
    )
    # One print of the run, being drawn (queued: the test's transaction never commits).
    assert page.count('class="run-print"') == 1 and 'data-state="queued"' in page
    fresh = owner.get(url("stamp_run_create", traced, traced.batch.pk)).content.decode()
    assert submission not in fresh  # a new form is a new order


def test_a_repeated_submission_says_so(owner, traced):
    data = {"quantity": "5", "layout": "a4-5x13", "submission": str(uuid.uuid4())}
    owner.post(url("stamp_run_create", traced, traced.batch.pk), data)
    response = owner.post(url("stamp_run_create", traced, traced.batch.pk), data, follow=True)
    assert "This form had already ordered these stamps: no second run was ordered." in (
        response.content.decode()
    )
    assert StampRun.objects.count() == 1


def test_an_authorised_reseller_records_its_own_events_and_corrects_only_those(client, traced):
    shop = BusinessFactory(status=SellerStatus.ACTIVE)
    ResaleAuthorizationFactory(product=traced.product, reseller=shop)
    clerk = MembershipFactory(business=shop, role=MembershipRole.STAFF).user
    producers = event_for(traced, step="packing")
    client = signed_in(client, clerk)
    page = reverse("traceability_workspace:batch_detail", args=[shop.slug, traced.batch.pk])
    response = client.get(page)
    assert response.status_code == 200
    correct_producers = reverse(
        "traceability_workspace:event_correct", args=[shop.slug, traced.batch.pk, producers.pk]
    )
    assert correct_producers not in response.content.decode()
    response = client.post(
        page,
        {
            "business_step": "receiving",
            "event_time": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "address": "Cửa hàng OCOP Hạ Long",
            "event_type": "object",
        },
    )
    assert response.status_code == 302
    own = ProvenanceEvent.objects.get(business=shop)
    html = client.get(page).content.decode()
    assert (
        reverse("traceability_workspace:event_correct", args=[shop.slug, traced.batch.pk, own.pk])
        in html
    )
    assert correct_producers not in html
    # Posting the producer's correction anyway is refused and changes nothing.
    response = client.post(
        correct_producers,
        {
            "business_step": "packing",
            "event_time": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "address": "x",
            "event_type": "object",
        },
    )
    assert response.status_code == 403
    assert ProvenanceEvent.objects.filter(corrects=producers).count() == 0


def test_the_gs1_digital_link_form_is_offered_wherever_stamps_are_printed(owner, traced):
    """PNG, SVG and the PDF sheets carry the GS1 Digital Link when asked (``?link=gs1``) and the
    pack has a GTIN; the short link stays the default, and a pack without a GTIN falls back to it."""
    import pypdfium2

    from core.printing.qr import qr_svg

    run, stamps, _pins = stamps_for(traced, 2)
    stamp = stamps[0]
    gs1 = signing.stamp_url_gs1(stamp)
    assert gs1.startswith(f"http://127.0.0.1:8000/01/{traced.variant.gtin.zfill(14)}/10/")
    png = owner.get(url("stamp_png", traced, run.pk, stamp.serial), {"link": "gs1"})
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(png.content)))
    assert [result.text for result in decoded] == [gs1]
    svg = owner.get(url("stamp_svg", traced, run.pk, stamp.serial), {"link": "gs1"})
    assert svg.content.decode() == qr_svg(url=gs1)
    pdf = owner.get(print_url(traced, run, link="gs1", draw=True))
    assert pdf["Content-Disposition"].endswith(f'-run{run.pk}-a4-5x13-gs1.pdf"')
    page = pypdfium2.PdfDocument(body_of(pdf))[0]
    found = sorted(
        r.text
        for r in zxingcpp.read_barcodes(page.render(scale=3).to_pil())
        if r.format == zxingcpp.BarcodeFormat.QRCode
    )
    assert found == sorted(signing.stamp_url_gs1(s) for s in stamps)
    detail = owner.get(url("stamp_run_detail", traced, run.pk), {"link": "gs1"}).content.decode()
    assert '<option value="gs1" selected>' in detail  # the next print's link form
    assert gs1.replace("&", "&amp;") in detail
    # Without a GTIN only the short link exists: asking for the GS1 form falls back to it.
    traced.variant.gtin = ""
    traced.variant.save(update_fields=["gtin"])
    png = owner.get(url("stamp_png", traced, run.pk, stamp.serial), {"link": "gs1"})
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(png.content)))
    assert [result.text for result in decoded] == [signing.stamp_url_short(stamp)]
    assert 'id="id_link"' not in owner.get(url("stamp_run_detail", traced, run.pk)).content.decode()

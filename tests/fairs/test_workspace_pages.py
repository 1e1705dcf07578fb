"""The fair pages of the seller workspace (apply, edit, withdraw) and of the organiser's desk
(review, waitlist, reject, accept on a booth, release): who may do what, that a refusal changes
nothing, and that the list pages cost the same SQL for 2 or 10 applications."""

import datetime
import re
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.models import Certificate
from marketplace.fairs.models import (
    ApplicationStatus,
    Booth,
    BoothAssignment,
    ExhibitorApplication,
    OrganiserMembership,
)
from marketplace.fairs.services import booth_assign, booth_fee_mark_paid
from tests.factories import BusinessFactory, UserFactory, member
from tests.factories_fairs import BoothFactory, FairFactory, ZoneFactory, organiser_member
from tests.fairs.helpers import applied, desk_with_booths, seller_with_offers

pytestmark = pytest.mark.django_db

SELLER_ACTORS = ["anonymous", "buyer", "other_seller", "organiser", "staff", "manager", "owner"]
ORGANISER_ACTORS = [
    "anonymous",
    "buyer",
    "applicant",
    "other_organiser",
    "desk_staff",
    "desk_manager",
    "desk_owner",
]
MANAGERS = {"owner", "manager"}
DESK_MANAGERS = {"desk_owner", "desk_manager"}


@pytest.fixture
def world():
    organiser, desk_manager = organiser_member(role="manager")
    _organiser, desk_owner = organiser_member(organiser, role="owner")
    _organiser, desk_staff = organiser_member(organiser, role="staff")
    _other, other_organiser = organiser_member()
    fair = FairFactory(organiser=organiser, name="Hội chợ OCOP Hạ Long")
    zone = ZoneFactory(fair=fair, name="Cụm Tiên Yên")
    booths = [BoothFactory(zone=zone, code=f"A-{n:02d}") for n in range(1, 4)]
    seller, manager, offers = seller_with_offers(offers=2, name="HTX Mật ong Tiên Yên")
    owner = member(seller, role="owner")
    staff = member(seller, role="staff")
    other_seller = member(BusinessFactory())
    # Applications of other sellers, for the organiser's decisions.
    submitted = applied(fair=fair, name="HTX Chè Đường Hoa")
    waiting = applied(fair=fair, name="HTX Hải sản Vân Đồn")
    waiting.status, waiting.waitlisted_at = ApplicationStatus.WAITLISTED, fair.created_at
    waiting.save()
    accepted = applied(fair=fair, name="HTX Ba kích Ba Chẽ")
    assignment = booth_assign(application=accepted, booth=booths[2], actor=desk_manager)
    return SimpleNamespace(
        fair=fair,
        zone=zone,
        booths=booths,
        seller=seller,
        offers=offers,
        users={
            "buyer": UserFactory(),
            "other_seller": other_seller,
            "organiser": desk_manager,
            "staff": staff,
            "manager": manager,
            "owner": owner,
            "applicant": submitted.seller.memberships.get().user,
            "other_organiser": other_organiser,
            "desk_staff": desk_staff,
            "desk_manager": desk_manager,
            "desk_owner": desk_owner,
        },
        organiser=organiser,
        submitted=submitted,
        waiting=waiting,
        assignment=assignment,
    )


def snapshot():
    return {
        "applications": list(
            ExhibitorApplication.objects.order_by("pk").values_list(
                "pk", "status", "booths_wanted", "note", "rejection_reason"
            )
        ),
        "assignments": list(
            BoothAssignment.objects.order_by("pk").values_list(
                "pk", "booth", "released_at", "paid_at"
            )
        ),
        "booths": list(Booth.objects.order_by("pk").values_list("pk", "status")),
    }


def login(client, w, actor):
    if actor != "anonymous":
        client.force_login(w.users[actor])


# --- the seller's side ----------------------------------------------------------------------


def case_apply(w):
    return f"hoi-cho/{w.fair.slug}/dang-ky/", {
        "offers": [o.pk for o in w.offers],
        "preferred_zone": w.zone.pk,
        "booths_wanted": "2",
        "note": "Cần ổ điện",
    }


def case_withdraw(w):
    own = applied(fair=w.fair, name="HTX tạm")
    own.seller.memberships.all().delete()
    # The application belongs to the world's seller: moved over, offers and all.
    own.seller = w.seller
    own.save()
    own.offers.set(w.offers)
    return f"hoi-cho/don/{own.pk}/rut/", {}


SELLER_CASES = {"apply": case_apply, "withdraw": case_withdraw}


@pytest.mark.parametrize("actor", SELLER_ACTORS)
@pytest.mark.parametrize("case", list(SELLER_CASES))
def test_seller_permission_matrix(client, world, case, actor):
    path, data = SELLER_CASES[case](world)
    login(client, world, actor)
    before = snapshot()
    response = client.post(f"/seller/{world.seller.slug}/{path}", data)
    after = snapshot()
    if actor in MANAGERS:
        assert response.status_code == 302, response.content.decode()[:3000]
        assert after != before
        return
    if actor == "anonymous":
        assert response.status_code == 302
        assert "/tai-khoan/" in response["Location"] or "login" in response["Location"]
    elif actor == "staff":
        assert response.status_code == 403
    else:
        assert response.status_code == 404
    assert after == before


def test_a_seller_applies_sees_its_status_edits_and_withdraws(client, world):
    client.force_login(world.users["manager"])
    base = f"/seller/{world.seller.slug}/hoi-cho/"
    page = client.get(base).content.decode()
    assert f'data-fair="{world.fair.slug}"' in page
    assert "Bạn chưa đăng ký hội chợ nào." in page or "You have not applied" in page
    response = client.post(f"{base}{world.fair.slug}/dang-ky/", case_apply(world)[1])
    assert response.status_code == 302
    application = ExhibitorApplication.objects.get(seller=world.seller)
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.booths_wanted == 2
    assert application.preferred_zone == world.zone
    assert application.note == "Cần ổ điện"
    page = client.get(base).content.decode()
    assert f'id="application-{application.pk}" data-status="submitted"' in page
    assert f'data-fair="{world.fair.slug}"' not in page  # no second application offered
    # The same form edits the open application.
    data = case_apply(world)[1] | {"booths_wanted": "1", "offers": [world.offers[0].pk]}
    assert client.post(f"{base}{world.fair.slug}/dang-ky/", data).status_code == 302
    application.refresh_from_db()
    assert application.booths_wanted == 1
    assert list(application.offers.values_list("pk", flat=True)) == [world.offers[0].pk]
    assert client.post(f"{base}don/{application.pk}/rut/").status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.WITHDRAWN


def test_the_apply_form_says_what_is_wrong_and_writes_nothing(client, world):
    client.force_login(world.users["manager"])
    url = f"/seller/{world.seller.slug}/hoi-cho/{world.fair.slug}/dang-ky/"
    response = client.post(url, {"booths_wanted": "1"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "Choose the products you will bring." in response.content.decode()
    foreign = applied(fair=world.fair).offers.get()
    response = client.post(url, {"booths_wanted": "1", "offers": [foreign.pk]})
    assert response.status_code == 200
    assert not ExhibitorApplication.objects.filter(seller=world.seller).exists()


def test_the_apply_form_flags_a_product_whose_certificate_lapses_before_the_fair(client, world):
    certificate = Certificate.objects.get(product=world.offers[0].variant.product)
    certificate.valid_until = world.fair.ends_on - datetime.timedelta(days=1)
    certificate.save()
    client.force_login(world.users["manager"])
    page = client.get(
        f"/seller/{world.seller.slug}/hoi-cho/{world.fair.slug}/dang-ky/",
        HTTP_ACCEPT_LANGUAGE="en",
    ).content.decode()
    # Both packs are of the one product.
    assert page.count("Its certificate lapses before the fair ends") == 2


def test_the_seller_fair_list_costs_the_same_sql_for_two_or_ten_applications(client):
    counts = []
    for size in (2, 10):
        seller, user, offers = seller_with_offers()
        for n in range(size):
            organiser, desk = organiser_member()
            fair = FairFactory(organiser=organiser)
            from marketplace.fairs.services import application_submit

            application = application_submit(
                fair=fair, seller=seller, actor=user, offer_ids=[offers[0].pk]
            )
            if n % 2:
                booth_assign(
                    application=application,
                    booth=BoothFactory(zone=ZoneFactory(fair=fair)),
                    actor=desk,
                )
        client.force_login(user)
        url = f"/seller/{seller.slug}/hoi-cho/"
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            body = client.get(url).content.decode()
        assert body.count('data-status="') == size
        assert body.count('data-fee="due"') == body.count("<svg") == size // 2
        counts.append(len(queries))
    assert counts[0] == counts[1] == SELLER_LIST_QUERIES


# session, user, business, membership, applications, their offers, their booths, fairs open
SELLER_LIST_QUERIES = 8


# --- the organiser's desk -------------------------------------------------------------------


def case_waitlist(w):
    return f"don/{w.submitted.pk}/waitlist/", {}


def case_reject(w):
    return f"don/{w.submitted.pk}/reject/", {"reason": "Sản phẩm trùng nhóm"}


def case_assign(w):
    return f"don/{w.waiting.pk}/assign/", {"booth": w.booths[0].pk}


def case_release(w):
    return f"gian/{w.assignment.pk}/tra/", {}


def case_fee_paid(w):
    return f"gian/{w.assignment.pk}/da-thu/", {}


ORGANISER_CASES = {
    "waitlist": case_waitlist,
    "reject": case_reject,
    "assign": case_assign,
    "release": case_release,
    "fee_paid": case_fee_paid,
}


@pytest.mark.parametrize("actor", ORGANISER_ACTORS)
@pytest.mark.parametrize("case", list(ORGANISER_CASES))
def test_organiser_permission_matrix(client, world, case, actor):
    path, data = ORGANISER_CASES[case](world)
    login(client, world, actor)
    before = snapshot()
    response = client.post(f"/to-chuc/{world.organiser.slug}/{path}", data)
    after = snapshot()
    if actor in DESK_MANAGERS:
        assert response.status_code == 302, response.content.decode()[:3000]
        assert after != before
        return
    if actor == "anonymous":
        assert response.status_code == 302
        assert "/tai-khoan/" in response["Location"] or "login" in response["Location"]
    elif actor == "desk_staff":
        assert response.status_code == 403
    else:
        assert response.status_code == 404
    assert after == before


def test_an_unapproved_organiser_has_no_desk(client, world):
    world.organiser.approved_at = None
    world.organiser.save()
    client.force_login(world.users["desk_owner"])
    assert client.get(f"/to-chuc/{world.organiser.slug}/").status_code == 404


def test_the_organiser_reviews_waitlists_rejects_and_assigns(client, world):
    client.force_login(world.users["desk_manager"])
    desk = f"/to-chuc/{world.organiser.slug}/"
    home = client.get(desk).content.decode()
    assert f'data-fair="{world.fair.slug}"' in home
    page = client.get(f"{desk}hoi-cho/{world.fair.slug}/").content.decode()
    assert page.count('class="offer-row" id="application-') == 3
    assert client.post(f"{desk}don/{world.submitted.pk}/waitlist/").status_code == 302
    world.submitted.refresh_from_db()
    assert world.submitted.status == ApplicationStatus.WAITLISTED
    page = client.get(f"{desk}hoi-cho/{world.fair.slug}/?status=waitlisted").content.decode()
    assert page.count('class="offer-row" id="application-') == 2
    # A reject without a reason is refused and changes nothing.
    client.post(f"{desk}don/{world.waiting.pk}/reject/", {"reason": " "})
    world.waiting.refresh_from_db()
    assert world.waiting.status == ApplicationStatus.WAITLISTED
    response = client.post(
        f"{desk}don/{world.waiting.pk}/assign/", {"booth": world.booths[0].pk}, follow=True
    )
    world.waiting.refresh_from_db()
    assert world.waiting.status == ApplicationStatus.ACCEPTED
    assert world.waiting.assignments.get().booth == world.booths[0]
    assert "A-01" in response.content.decode()
    # The taken booth cannot be assigned again: the error is shown, nothing written.
    before = snapshot()
    response = client.post(
        f"{desk}don/{world.submitted.pk}/assign/",
        {"booth": world.booths[0].pk},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "Booth A-01 is not free." in response.content.decode()
    assert snapshot() == before
    # Reject the remaining one with a reason.
    client.post(f"{desk}don/{world.submitted.pk}/reject/", {"reason": "Hết chỗ"})
    world.submitted.refresh_from_db()
    assert (world.submitted.status, world.submitted.rejection_reason) == ("rejected", "Hết chỗ")


def test_a_booth_of_another_fair_or_another_organisers_application_is_not_found(client, world):
    _organiser, _stranger = organiser_member()
    other_fair = FairFactory(organiser=_organiser)
    theirs = applied(fair=other_fair)
    client.force_login(world.users["desk_manager"])
    desk = f"/to-chuc/{world.organiser.slug}/"
    assert client.post(f"{desk}don/{theirs.pk}/waitlist/").status_code == 404
    foreign_booth = BoothFactory(zone=ZoneFactory(fair=other_fair))
    before = snapshot()
    client.post(f"{desk}don/{world.waiting.pk}/assign/", {"booth": foreign_booth.pk})
    assert snapshot() == before


def test_the_review_page_costs_the_same_sql_for_two_or_ten_applications(client):
    counts = []
    for size in (2, 10):
        organiser, user = organiser_member()
        fair = FairFactory(organiser=organiser)
        zone = ZoneFactory(fair=fair)
        for n in range(size):
            application = applied(fair=fair)
            if n % 2:
                assignment = booth_assign(
                    application=application, booth=BoothFactory(zone=zone), actor=user
                )
                if n == 1:
                    booth_fee_mark_paid(assignment=assignment, actor=user)
        BoothFactory(zone=zone)
        client.force_login(user)
        url = f"/to-chuc/{organiser.slug}/hoi-cho/{fair.slug}/"
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            body = client.get(url).content.decode()
        assert body.count('class="offer-row" id="application-') == size
        # Half the booths are assigned, each with its fee; one of them is already paid.
        assert body.count('data-fee="paid"') == 1
        assert body.count('data-fee="due"') == size // 2 - 1
        counts.append(len(queries))
    assert counts[0] == counts[1] == REVIEW_QUERIES


# session, user, organiser, membership, fair, product sets, provinces, applications, their
# offers, their booths, the lapsing check (2), stars in force, waitlist, free booths
REVIEW_QUERIES = 15


def test_a_member_of_an_organiser_reaches_only_its_fairs(client, world):
    OrganiserMembership.objects.filter(user=world.users["desk_staff"]).delete()
    client.force_login(world.users["desk_staff"])
    assert client.get(f"/to-chuc/{world.organiser.slug}/").status_code == 404


# --- booth signs ----------------------------------------------------------------------------


@pytest.mark.parametrize("actor", ORGANISER_ACTORS)
def test_booth_signs_permission_matrix(client, world, actor):
    """Every member of the organiser downloads the signs; a stranger gets 404, as for the desk."""
    login(client, world, actor)
    response = client.get(
        f"/to-chuc/{world.organiser.slug}/hoi-cho/{world.fair.slug}/bien-gian-hang.pdf"
    )
    if actor.startswith("desk_"):
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == (
            f'attachment; filename="{world.fair.slug}-booth-signs.pdf"'
        )
    elif actor == "anonymous":
        assert response.status_code == 302
    else:
        assert response.status_code == 404


def test_a_booth_sign_shows_the_booth_exhibitor_products_and_a_qr_to_the_exhibitor(
    client, world, settings
):
    import io

    import pypdf
    import pypdfium2
    import zxingcpp

    settings.SITE_URL = "https://cho-ocop.vn"
    second = applied(fair=world.fair, name="HTX Nấm Hạ Long")
    booth_assign(application=second, booth=world.booths[0], actor=world.users["desk_manager"])
    client.force_login(world.users["desk_staff"])
    desk = f"/to-chuc/{world.organiser.slug}/hoi-cho/{world.fair.slug}/"
    assert "bien-gian-hang.pdf" in client.get(desk).content.decode()
    content = client.get(desk + "bien-gian-hang.pdf", HTTP_ACCEPT_LANGUAGE="en").content
    reader = pypdf.PdfReader(io.BytesIO(content))
    assert len(reader.pages) == 2  # in code order
    signs = [(world.booths[0], second), (world.booths[2], world.assignment.application)]
    document = pypdfium2.PdfDocument(content)
    for number, (booth, application) in enumerate(signs):
        text = reader.pages[number].extract_text()
        assert booth.code in text
        assert application.seller.name in text
        assert application.seller.province.name in text
        assert "Products at this booth" in text
        product = application.offers.get().variant.product
        stars = Certificate.objects.get(product=product).stars
        assert f"{product.name} {'★' * stars}" in text
        found = [
            r.text
            for r in zxingcpp.read_barcodes(document[number].render(scale=2).to_pil())
            if r.format == zxingcpp.BarcodeFormat.QRCode
        ]
        assert found == [f"https://cho-ocop.vn/nguoi-ban/{application.seller.slug}/"]


def test_no_sign_to_print_before_a_booth_is_assigned(client):
    organiser, user = organiser_member(role="staff")
    fair = FairFactory(organiser=organiser)
    BoothFactory(zone=ZoneFactory(fair=fair))
    client.force_login(user)
    desk = f"/to-chuc/{organiser.slug}/hoi-cho/{fair.slug}/"
    response = client.get(desk + "bien-gian-hang.pdf", HTTP_ACCEPT_LANGUAGE="en", follow=True)
    assert response.redirect_chain == [(desk, 302)]
    assert "No booth is assigned yet: there is no sign to print." in response.content.decode()


# --- assigning on the booth map -------------------------------------------------------------


@pytest.mark.parametrize("actor", ORGANISER_ACTORS)
def test_desk_booth_map_and_confirmation_permission_matrix(client, world, actor):
    login(client, world, actor)
    desk = f"/to-chuc/{world.organiser.slug}/"
    before = snapshot()
    shown = client.get(f"{desk}hoi-cho/{world.fair.slug}/so-do/?don={world.submitted.pk}")
    confirm = client.get(f"{desk}don/{world.submitted.pk}/gian/{world.booths[0].pk}/")
    assert snapshot() == before
    if actor in DESK_MANAGERS:
        assert (shown.status_code, confirm.status_code) == (200, 200)
        assert "booth-pick" in shown.content.decode()
    elif actor == "desk_staff":
        # Staff read the map without pick links and cannot reach the confirmation.
        assert (shown.status_code, confirm.status_code) == (200, 403)
        assert "booth-pick" not in shown.content.decode()
    elif actor == "anonymous":
        assert (shown.status_code, confirm.status_code) == (302, 302)
    else:
        assert (shown.status_code, confirm.status_code) == (404, 404)


def test_each_free_booth_on_the_desk_map_links_to_its_assign_confirmation(client, world):
    client.force_login(world.users["desk_manager"])
    desk = f"/to-chuc/{world.organiser.slug}/"
    fair_page_html = client.get(f"{desk}hoi-cho/{world.fair.slug}/").content.decode()
    map_url = f"{desk}hoi-cho/{world.fair.slug}/so-do/?don={world.submitted.pk}"
    assert f'href="{map_url}"' in fair_page_html
    shown = client.get(map_url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Pick a free booth for HTX Chè Đường Hoa." in shown
    links = re.findall(r'<a href="([^"]*)" class="booth booth-(\w+)( booth-pick)?"', shown)
    # are free and link to their confirmation; A-03 is taken.
    assert links == [
        (f"{desk}don/{world.submitted.pk}/gian/{world.booths[0].pk}/", "available", " booth-pick"),
        (f"{desk}don/{world.submitted.pk}/gian/{world.booths[1].pk}/", "available", " booth-pick"),
        (f"/hoi-cho/{world.fair.slug}/#booth-A-03", "assigned", ""),
    ]
    confirm = client.get(links[1][0], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Assign booth A-02 to HTX Chè Đường Hoa" in confirm
    response = client.post(
        f"{desk}don/{world.submitted.pk}/assign/", {"booth": world.booths[1].pk}, follow=True
    )
    assert response.redirect_chain == [(f"{desk}hoi-cho/{world.fair.slug}/", 302)]
    world.submitted.refresh_from_db()
    assert world.submitted.status == ApplicationStatus.ACCEPTED
    assert world.submitted.assignments.get().booth == world.booths[1]
    # The confirmation of a booth now taken says so and offers no form.
    again = client.get(
        f"{desk}don/{world.waiting.pk}/gian/{world.booths[1].pk}/", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "Booth A-02 is not free." in again
    assert "/assign/" not in again
    # Without an open application chosen, the map has no pick links.
    plain = client.get(
        f"{desk}hoi-cho/{world.fair.slug}/so-do/?don={world.assignment.application.pk + 10_000}"
    )
    assert "booth-pick" not in plain.content.decode()


def test_the_desk_map_costs_the_same_sql_for_two_or_ten_booths(client):
    counts = []
    for size in (2, 10):
        organiser, user, fair, _booths = desk_with_booths(size)
        application = applied(fair=fair)
        client.force_login(user)
        url = f"/to-chuc/{organiser.slug}/hoi-cho/{fair.slug}/so-do/?don={application.pk}"
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            body = client.get(url).content.decode()
        assert body.count(" booth-pick") == size - 1
        counts.append(len(queries))
    assert counts[0] == counts[1] == DESK_MAP_QUERIES


# session, user, organiser, membership, fair, the map (fair, zones, booths, assignments with
# their sellers), the application, free booths
DESK_MAP_QUERIES = 11

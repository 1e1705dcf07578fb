"""The fairs API: ``fairs`` and ``fair`` (public, constant SQL whatever the number of fairs,
booths and exhibitors), and who may call each fair mutation — a refusal changes nothing.

Callers: anonymous, a buyer, the owner of another seller, the applying seller's owner / manager /
staff, an API token of the seller's owner, a member of another organiser, the organiser's staff /
manager, and the organiser's manager calling with a seller token of theirs (a token never acts
for an organiser)."""

import json
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from graphql_relay import to_global_id

from marketplace.fairs.models import (
    Booth,
    BoothAssignment,
    ExhibitorApplication,
    Fair,
    FairStatus,
    ProgrammeItem,
    Zone,
)
from marketplace.fairs.services import booth_assign
from sellers.models import Membership
from sellers.services import api_token_create
from tests.factories import (
    BusinessFactory,
    UserFactory,
    certified_product,
    member,
    product_set,
    province,
)
from tests.factories_fairs import BoothFactory, FairFactory, ZoneFactory, organiser_member
from tests.fairs.helpers import applied, seller_with_offers

pytestmark = pytest.mark.django_db

ACTORS = [
    "anonymous",
    "buyer",
    "other_seller",
    "owner",
    "manager",
    "staff",
    "token_own",
    "other_organiser",
    "desk_staff",
    "desk_manager",
    "desk_token",
]
SELLER_MANAGERS = {"owner", "manager", "token_own"}
DESK_MANAGERS = {"desk_manager"}


@pytest.fixture
def world():
    organiser, desk_manager = organiser_member(role="manager")
    _organiser, desk_staff = organiser_member(organiser, role="staff")
    _other, other_organiser = organiser_member()
    fair = FairFactory(organiser=organiser)
    zone = ZoneFactory(fair=fair, name="Cụm Tiên Yên")
    booths = [BoothFactory(zone=zone, code=f"A-{n:02d}") for n in range(1, 3)]
    seller, manager, offers = seller_with_offers(name="HTX Mật ong Tiên Yên")
    owner = member(seller, role="owner")
    # The organiser's manager also manages a seller: its token is a seller's, never the desk's.
    desk_business = BusinessFactory()
    Membership.objects.create(user=desk_manager, business=desk_business, role="owner")
    mine = applied(fair=FairFactory(organiser=organiser), name="HTX khác")
    mine.seller = seller
    mine.save()
    submitted = applied(fair=fair, name="HTX Chè Đường Hoa")
    # An exhibitor on booth A-03, its fee due: what release and fee-paid act on.
    assigned_booth = BoothFactory(zone=zone, code="A-03")
    accepted = applied(fair=fair, name="HTX Ba kích Ba Chẽ")
    booth_assign(application=accepted, booth=assigned_booth, actor=desk_manager)
    # The programme: what the programme mutations remove (and add beside).
    programme_item = ProgrammeItem.objects.create(fair=fair, title="Khai mạc")
    # Two neighbouring free booths far from the others: what merging acts on.
    merge = [BoothFactory(zone=zone, code=f"M-0{n}", x=300 + 3 * n, y=300) for n in (1, 2)]
    return SimpleNamespace(
        programme_item=programme_item,
        merge=merge,
        assigned_booth=assigned_booth,
        accepted=accepted,
        fair=fair,
        zone=zone,
        booths=booths,
        seller=seller,
        offers=offers,
        mine=mine,
        submitted=submitted,
        users={
            "anonymous": None,
            "buyer": UserFactory(),
            "other_seller": member(BusinessFactory()),
            "owner": owner,
            "manager": manager,
            "staff": member(seller, role="staff"),
            "other_organiser": other_organiser,
            "desk_staff": desk_staff,
            "desk_manager": desk_manager,
        },
        tokens={
            "token_own": api_token_create(business=seller, user=owner, name="Cổng")[1],
            "desk_token": api_token_create(business=desk_business, user=desk_manager, name="Bàn")[
                1
            ],
        },
    )


def gid(name, obj):
    return to_global_id(name, obj.pk)


def state():
    return (
        list(Fair.objects.order_by("pk").values_list("pk", "status", "rules")),
        list(Zone.objects.order_by("pk").values_list("pk", "name", "kind", "colour", "position")),
        list(ExhibitorApplication.objects.order_by("pk").values_list("pk", "status", "note")),
        list(
            BoothAssignment.objects.order_by("pk").values_list(
                "pk", "booth", "released_at", "paid_at"
            )
        ),
        list(
            Booth.objects.order_by("pk").values_list("pk", "status", "held_for", "x", "y", "zone")
        ),
        list(ProgrammeItem.objects.order_by("pk").values_list("pk", "title")),
    )


CASES = {
    "fairApply": (
        """mutation ($business: ID!, $fair: ID!, $offers: [ID!]!, $zone: ID) {
           fairApply(business: $business, fair: $fair, offers: $offers, preferredZone: $zone,
           note: "Cần ổ điện") { applicationId status errors { field code } } }""",
        lambda w: {
            "business": gid("Business", w.seller),
            "fair": gid("Fair", w.fair),
            "offers": [gid("Offer", o) for o in w.offers],
            "zone": gid("FairZone", w.zone),
        },
        SELLER_MANAGERS,
    ),
    "fairApplicationWithdraw": (
        """mutation ($application: ID!) { fairApplicationWithdraw(application: $application) {
           applicationId status errors { field code } } }""",
        lambda w: {"application": gid("ExhibitorApplication", w.mine)},
        SELLER_MANAGERS,
    ),
    "fairApplicationWaitlist": (
        """mutation ($application: ID!) { fairApplicationWaitlist(application: $application) {
           applicationId status errors { field code } } }""",
        lambda w: {"application": gid("ExhibitorApplication", w.submitted)},
        DESK_MANAGERS,
    ),
    "fairApplicationReject": (
        """mutation ($application: ID!) { fairApplicationReject(application: $application,
           reason: "Hết chỗ") { applicationId status errors { field code } } }""",
        lambda w: {"application": gid("ExhibitorApplication", w.submitted)},
        DESK_MANAGERS,
    ),
    "fairBoothAssign": (
        """mutation ($application: ID!, $booth: ID!) { fairBoothAssign(application: $application,
           booth: $booth) { applicationId status boothCode errors { field code } } }""",
        lambda w: {
            "application": gid("ExhibitorApplication", w.submitted),
            "booth": gid("FairBooth", w.booths[0]),
        },
        DESK_MANAGERS,
    ),
    "fairBoothRelease": (
        """mutation ($booth: ID!) { fairBoothRelease(booth: $booth) { boothCode
           releasedApplicationId givenToApplicationId errors { field code } } }""",
        lambda w: {"booth": gid("FairBooth", w.assigned_booth)},
        DESK_MANAGERS,
    ),
    "fairBoothFeePaid": (
        """mutation ($booth: ID!) { fairBoothFeePaid(booth: $booth) { boothCode amount paidAt
           errors { field code } } }""",
        lambda w: {"booth": gid("FairBooth", w.assigned_booth)},
        DESK_MANAGERS,
    ),
    "fairBoothsCreate": (
        """mutation ($zone: ID!) { fairBoothsCreate(zone: $zone, prefix: "b", first: 1, last: 3,
           width: 3, depth: 3, perRow: 3, x: 0, y: 600) { boothCodes errors { field code } } }""",
        lambda w: {"zone": gid("FairZone", w.zone)},
        DESK_MANAGERS,
    ),
    "fairBoothMove": (
        """mutation ($booth: ID!) { fairBoothMove(booth: $booth, x: 0, y: 700) { boothCode x y
           zone errors { field code } } }""",
        lambda w: {"booth": gid("FairBooth", w.booths[0])},
        DESK_MANAGERS,
    ),
    "fairBoothBlock": (
        """mutation ($booth: ID!) { fairBoothBlock(booth: $booth, blocked: true) { boothCode
           status errors { field code } } }""",
        lambda w: {"booth": gid("FairBooth", w.booths[1])},
        DESK_MANAGERS,
    ),
    "fairProgrammeItemAdd": (
        """mutation ($fair: ID!) { fairProgrammeItemAdd(fair: $fair, title: "Công bố ★4")
           { itemId certificateNumbers errors { field code } } }""",
        lambda w: {"fair": gid("Fair", w.fair)},
        DESK_MANAGERS,
    ),
    "fairProgrammeItemRemove": (
        """mutation ($item: ID!) { fairProgrammeItemRemove(item: $item) { removedItemId
           errors { field code } } }""",
        lambda w: {"item": gid("FairProgrammeItem", w.programme_item)},
        DESK_MANAGERS,
    ),
    "fairCreate": (
        """mutation ($organiser: ID!) { fairCreate(organiser: $organiser, name: "Hội chợ mới",
           venueAddress: "Quảng trường 30/10, Hạ Long", province: "22",
           startsOn: "2027-05-01", endsOn: "2027-05-05") { fairId slug status
           errors { field code } } }""",
        lambda w: {"organiser": gid("FairOrganiser", w.fair.organiser)},
        DESK_MANAGERS,
    ),
    "fairUpdate": (
        """mutation ($fair: ID!) { fairUpdate(fair: $fair, rules: "Không bán rượu") { fairId
           slug status errors { field code } } }""",
        lambda w: {"fair": gid("Fair", w.fair)},
        DESK_MANAGERS,
    ),
    "fairTransition": (
        """mutation ($fair: ID!) { fairTransition(fair: $fair, to: APPLICATIONS_CLOSED) {
           fairId status errors { field code } } }""",
        lambda w: {"fair": gid("Fair", w.fair)},
        DESK_MANAGERS,
    ),
    "fairZoneCreate": (
        """mutation ($fair: ID!) { fairZoneCreate(fair: $fair, name: "Phố ẩm thực", kind: FOOD,
           colour: "#8d6e63") { zone { id name kind colour } errors { field code } } }""",
        lambda w: {"fair": gid("Fair", w.fair)},
        DESK_MANAGERS,
    ),
    "fairZoneUpdate": (
        """mutation ($zone: ID!) { fairZoneUpdate(zone: $zone, name: "Cụm Tiên Yên – Bình Liêu",
           colour: "#123456") { zone { name colour } errors { field code } } }""",
        lambda w: {"zone": gid("FairZone", w.zone)},
        DESK_MANAGERS,
    ),
    "fairBoothMerge": (
        """mutation ($booths: [ID!]!) { fairBoothMerge(booths: $booths) { boothCode x y width
           height errors { field code } } }""",
        lambda w: {"booths": [gid("FairBooth", b) for b in w.merge]},
        DESK_MANAGERS,
    ),
    "fairApplicationUpdate": (
        """mutation ($application: ID!) { fairApplicationUpdate(application: $application,
           note: "Thêm một bàn", boothsWanted: 2) { applicationId status errors { field code } }
           }""",
        lambda w: {"application": gid("ExhibitorApplication", w.mine)},
        SELLER_MANAGERS,
    ),
}


def call(client, world, actor, query, variables):
    extra = {}
    if actor in world.tokens:
        extra["HTTP_AUTHORIZATION"] = f"Bearer {world.tokens[actor]}"
    elif world.users[actor] is not None:
        client.force_login(world.users[actor])
    body = json.dumps({"query": query, "variables": variables})
    return client.post("/graphql/", body, content_type="application/json", **extra)


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("mutation", list(CASES))
def test_permission_matrix(client, world, mutation, actor):
    query, variables, allowed = CASES[mutation]
    before = state()
    response = call(client, world, actor, query, variables(world))
    assert response.status_code == 200, response.content
    payload = response.json()
    assert "errors" not in payload, payload["errors"]
    result = payload["data"][mutation]
    if actor in allowed:
        assert result["errors"] == []
        assert state() != before
    else:
        assert [e["code"] for e in result["errors"]] == ["PERMISSION_DENIED"]
        assert {v for k, v in result.items() if k != "errors"} == {None}
        assert state() == before


def test_apply_then_assign_through_the_api(client, world):
    query, variables, _allowed = CASES["fairApply"]
    answer = call(client, world, "manager", query, variables(world)).json()["data"]["fairApply"]
    assert (answer["errors"], answer["status"]) == ([], "SUBMITTED")
    application = ExhibitorApplication.objects.get(seller=world.seller, fair=world.fair)
    assert (application.note, application.preferred_zone) == ("Cần ổ điện", world.zone)
    # A second application is refused with a field and a code.
    again = call(client, world, "manager", query, variables(world)).json()["data"]["fairApply"]
    assert again["errors"] == [{"field": "fair", "code": "DUPLICATE"}]
    query, _variables, _allowed = CASES["fairBoothAssign"]
    data = {
        "application": gid("ExhibitorApplication", application),
        "booth": gid("FairBooth", world.booths[1]),
    }
    client.logout()
    answer = call(client, world, "desk_manager", query, data).json()["data"]["fairBoothAssign"]
    assert answer == {
        "applicationId": gid("ExhibitorApplication", application),
        "status": "ACCEPTED",
        "boothCode": "A-02",
        "errors": [],
    }
    # The booth is taken now.
    data["application"] = gid("ExhibitorApplication", world.submitted)
    taken = call(client, world, "desk_manager", query, data).json()["data"]["fairBoothAssign"]
    assert taken["errors"] == [{"field": "booth", "code": "BOOTH_TAKEN"}]


FAIR_QUERY = """query ($slug: String) { fair(slug: $slug) { name status province { code }
  zones { id name kind } booths { code zone status exhibitor { sellerName } }
  exhibitors { sellerName boothCodes products { name stars } } } }"""

FAIRS_QUERY = """{ fairs(first: 20, upcoming: true) { totalCount edges { node { slug
  booths { code exhibitor { sellerName } } exhibitors { sellerName products { name stars } }
  programme { title certificates { id number stars productName productSlug } } } } } }"""


def _fair_with_exhibitors(count: int):
    organiser, user = organiser_member()
    fair = FairFactory(organiser=organiser)
    zone = ZoneFactory(fair=fair)
    for _n in range(count):
        booth_assign(application=applied(fair=fair), booth=BoothFactory(zone=zone), actor=user)
    item = ProgrammeItem.objects.create(fair=fair, title="Công bố ★4")
    item.certificates.set([certified_product()[2] for _n in range(2)])
    return fair


def test_fair_by_slug_with_zones_booths_and_exhibitors(client):
    fair = _fair_with_exhibitors(2)
    BoothFactory(zone=fair.zones.get(), code="Z-99", status="blocked")
    FairFactory(status=FairStatus.DRAFT, slug="nhap")
    body = {"query": FAIR_QUERY, "variables": {"slug": fair.slug}}
    data = client.post("/graphql/", body, content_type="application/json").json()["data"]
    answer = data["fair"]
    assert answer["status"] == "APPLICATIONS_OPEN"
    assert answer["province"] == {"code": "22"}
    assert len(answer["booths"]) == 3
    assert answer["booths"][-1] == {
        "code": "Z-99",
        "zone": fair.zones.get().name,
        "status": "BLOCKED",
        "exhibitor": None,
    }
    assert [len(e["products"]) for e in answer["exhibitors"]] == [1, 1]
    assert all(e["products"][0]["stars"] in (3, 4, 5) for e in answer["exhibitors"])
    body["variables"] = {"slug": "nhap"}  # a draft is the organiser's alone
    assert client.post("/graphql/", body, content_type="application/json").json()["data"] == {
        "fair": None
    }


def test_fairs_connection_costs_the_same_sql_for_two_or_ten_fairs(client):
    counts = []
    for size in (2, 10):
        fairs = [_fair_with_exhibitors(2) for _n in range(size)]
        client.post("/graphql/", {"query": FAIRS_QUERY}, content_type="application/json")
        with CaptureQueriesContext(connection) as queries:
            data = client.post(
                "/graphql/", {"query": FAIRS_QUERY}, content_type="application/json"
            ).json()["data"]
        assert data["fairs"]["totalCount"] == len(fairs) + (2 if size == 10 else 0)
        programmes = [edge["node"]["programme"] for edge in data["fairs"]["edges"]]
        assert all(len(p) == 1 and len(p[0]["certificates"]) == 2 for p in programmes)
        counts.append(len(queries))
    # count, page, zones, booths, assignments with sellers, products brought with their stars
    # in force, programme, the certificates announced with their products
    assert counts == [FAIRS_QUERIES, FAIRS_QUERIES]


FAIRS_QUERIES = 8


def test_fairs_filters_by_province_and_status(client):
    FairFactory(slug="ha-long")
    FairFactory(slug="sai-gon", province=province("79"), status=FairStatus.FINISHED)
    query = """{ a: fairs(province: "79") { edges { node { slug } } }
      b: fairs(status: APPLICATIONS_OPEN) { edges { node { slug } } } }"""
    data = client.post("/graphql/", {"query": query}, content_type="application/json").json()
    assert [e["node"]["slug"] for e in data["data"]["a"]["edges"]] == ["sai-gon"]
    assert [e["node"]["slug"] for e in data["data"]["b"]["edges"]] == ["ha-long"]


def _desk(client, world, mutation, variables):
    query = CASES[mutation][0]
    return call(client, world, "desk_manager", query, variables).json()["data"][mutation]


def _errors_in(client, world, query, variables, mutation):
    client.force_login(world.users["desk_manager"])
    body = json.dumps({"query": query, "variables": variables})
    answer = client.post(
        "/graphql/", body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )
    return answer.json()["data"][mutation]["errors"]


def test_releasing_a_booth_gives_it_to_the_waitlist_and_a_fee_is_paid_once(client, world):
    from marketplace.fairs.services import application_waitlist

    application_waitlist(application=world.submitted, actor=world.users["desk_manager"])
    booth = {"booth": gid("FairBooth", world.assigned_booth)}
    paid = _desk(client, world, "fairBoothFeePaid", booth)
    assert (paid["boothCode"], paid["amount"], paid["errors"]) == ("A-03", 2_000_000, [])
    query = """mutation ($booth: ID!) { fairBoothFeePaid(booth: $booth) { boothCode
      errors { field message code } } }"""
    assert _errors_in(client, world, query, booth, "fairBoothFeePaid") == [
        {"field": None, "message": "This booth fee is already paid.", "code": "PAID"}
    ]
    answer = _desk(client, world, "fairBoothRelease", booth)
    assert answer == {
        "boothCode": "A-03",
        "releasedApplicationId": gid("ExhibitorApplication", world.accepted),
        "givenToApplicationId": gid("ExhibitorApplication", world.submitted),
        "errors": [],
    }
    given = BoothAssignment.objects.get(booth=world.assigned_booth, released_at__isnull=True)
    assert given.application == world.submitted
    assert (given.fee_state, given.amount_due) == ("due", 2_000_000)
    # Released without the waitlist, the booth stays free; a free booth cannot be released.
    query = """mutation ($booth: ID!) { fairBoothRelease(booth: $booth, offerToWaitlist: false) {
      givenToApplicationId errors { field message code } } }"""
    data = call(client, world, "desk_manager", query, booth).json()["data"]["fairBoothRelease"]
    assert data == {"givenToApplicationId": None, "errors": []}
    assert _errors_in(client, world, query, booth, "fairBoothRelease") == [
        {"field": "booth", "message": "Booth A-03 is not assigned.", "code": "NOT_ASSIGNED"}
    ]


def test_booth_layout_through_the_api_with_field_message_and_code_errors(client, world):
    zone = {"zone": gid("FairZone", world.zone)}
    created = _desk(client, world, "fairBoothsCreate", zone)
    assert created == {"boothCodes": ["B-01", "B-02", "B-03"], "errors": []}
    new = Booth.objects.filter(code__startswith="B-").order_by("code")
    assert [(b.x, b.y, b.price, b.zone_id) for b in new] == [
        (0, 600, 2_000_000, world.zone.pk),
        (3, 600, 2_000_000, world.zone.pk),
        (6, 600, 2_000_000, world.zone.pk),
    ]
    query = CASES["fairBoothsCreate"][0].replace("field code", "field message code")
    assert _errors_in(client, world, query, zone, "fairBoothsCreate") == [
        {
            "field": "first",
            "message": "These booth codes already exist: B-01, B-02, B-03.",
            "code": "DUPLICATE",
        }
    ]
    # Moved onto B-02: refused, nothing moved.
    query = """mutation ($booth: ID!, $zone: ID) { fairBoothMove(booth: $booth, x: 4, y: 601,
      zone: $zone) { boothCode errors { field message code } } }"""
    variables = {"booth": gid("FairBooth", world.booths[0])} | zone
    assert _errors_in(client, world, query, variables, "fairBoothMove") == [
        {"field": "x", "message": "Booth B-02 would overlap booth A-01.", "code": "OVERLAP"}
    ]
    moved = _desk(client, world, "fairBoothMove", {"booth": gid("FairBooth", world.booths[0])})
    assert moved == {"boothCode": "A-01", "x": 0, "y": 700, "zone": "Cụm Tiên Yên", "errors": []}
    # Hold a booth for a locality cluster, block another; an assigned booth is refused.
    query = """mutation ($booth: ID!, $blocked: Boolean!, $held: String) { fairBoothBlock(
      booth: $booth, blocked: $blocked, heldFor: $held) { boothCode status
      errors { field message code } } }"""
    held = {"booth": gid("FairBooth", world.booths[1]), "blocked": False, "held": "Cụm Vân Đồn"}
    data = call(client, world, "desk_manager", query, held).json()["data"]["fairBoothBlock"]
    assert data == {"boothCode": "A-02", "status": "HELD", "errors": []}
    taken = {"booth": gid("FairBooth", world.assigned_booth), "blocked": True}
    assert _errors_in(client, world, query, taken, "fairBoothBlock") == [
        {
            "field": None,
            "message": "Booth A-03 is assigned: release it first.",
            "code": "ASSIGNED",
        }
    ]
    # A booth of another organiser's fair is not found, the same as no booth at all.
    stranger = BoothFactory(zone=ZoneFactory(fair=FairFactory()), code="X-01")
    other = {"booth": gid("FairBooth", stranger), "blocked": True}
    errors = _errors_in(client, world, query, other, "fairBoothBlock")
    assert [(e["field"], e["code"]) for e in errors] == [("booth", "PERMISSION_DENIED")]
    stranger.refresh_from_db()
    assert stranger.status == "available"


def test_the_programme_through_the_api(client, world):
    _product, _evaluation, certificate = certified_product()
    query = """mutation ($fair: ID!, $day: Date, $numbers: [String!]) { fairProgrammeItemAdd(
      fair: $fair, title: "Công bố ★4", day: $day, certificates: $numbers) { itemId
      certificateNumbers errors { field code message } } }"""
    data = {"fair": gid("Fair", world.fair), "day": world.fair.starts_on.isoformat(),
            "numbers": [certificate.number, "KHONG-CO"]}  # fmt: skip
    answer = call(client, world, "desk_manager", query, data).json()["data"]
    errors = answer["fairProgrammeItemAdd"]["errors"]
    assert [(e["field"], e["code"]) for e in errors] == [("certificates", "NOT_FOUND")]
    assert "KHONG-CO" in errors[0]["message"]
    data["numbers"] = [certificate.number]
    answer = call(client, world, "desk_manager", query, data).json()["data"]
    added = answer["fairProgrammeItemAdd"]
    assert added["errors"] == [] and added["certificateNumbers"] == [certificate.number]
    item = ProgrammeItem.objects.get(title="Công bố ★4")
    assert added["itemId"] == gid("FairProgrammeItem", item)
    assert list(item.certificates.all()) == [certificate]
    # The fair's page in the API lists it, linked to the registry's certificate.
    body = {"query": """query ($slug: String!) { fair(slug: $slug) { programme { id title day
      certificates { id number stars productName productSlug } } } }""",
            "variables": {"slug": world.fair.slug}}  # fmt: skip
    programme = client.post("/graphql/", body, content_type="application/json").json()["data"]
    assert programme["fair"]["programme"] == [
        {"id": gid("FairProgrammeItem", world.programme_item), "title": "Khai mạc", "day": None,
         "certificates": []},
        {"id": gid("FairProgrammeItem", item), "title": "Công bố ★4",
         "day": world.fair.starts_on.isoformat(),
         "certificates": [{"id": gid("Certificate", certificate), "number": certificate.number,
                           "stars": certificate.stars, "productName": _product.name,
                           "productSlug": _product.slug}]},
    ]  # fmt: skip
    # Another organiser's fair is refused like a missing one.
    other = FairFactory()
    data = {"fair": gid("Fair", other), "day": None, "numbers": []}
    refused = call(client, world, "desk_manager", query, data).json()["data"]
    assert refused["fairProgrammeItemAdd"]["errors"][0]["code"] == "PERMISSION_DENIED"


def test_every_fair_error_code_reaches_the_api_as_itself():
    """A service's code (``paid``, ``free``, ``not_assigned``…) is the ``ErrorCode`` a client
    reads, never INVALID by default: every code the fairs package raises is in the enum."""
    import pathlib
    import re

    from core.graphql.errors import ErrorCode, error_code

    root = pathlib.Path(__file__).resolve().parents[2] / "marketplace" / "fairs"
    codes = set()
    for path in root.rglob("*.py"):
        codes |= set(re.findall(r'code="([a-z_]+)"', path.read_text()))
    assert {"paid", "free", "not_assigned", "booth_taken", "window_closed"} <= codes
    for code in sorted(codes):
        assert error_code(code).value == code
    assert error_code("free") is ErrorCode.FREE


def test_a_free_booths_fee_cannot_be_marked_paid_the_code_says_free(client, world):
    free = BoothFactory(zone=world.zone, code="A-09", price=0)
    booth_assign(application=world.submitted, booth=free, actor=world.users["desk_manager"])
    query = """mutation ($booth: ID!) { fairBoothFeePaid(booth: $booth) { boothCode
      errors { field message code } } }"""
    assert _errors_in(
        client, world, query, {"booth": gid("FairBooth", free)}, "fairBoothFeePaid"
    ) == [{"field": None, "message": "Nothing is due for this booth.", "code": "FREE"}]


def test_an_organiser_creates_lays_out_and_runs_a_fair_through_the_api(client, world):
    created = _desk(
        client, world, "fairCreate", {"organiser": gid("FairOrganiser", world.fair.organiser)}
    )
    fair = Fair.objects.get(slug=created["slug"])
    assert created == {
        "fairId": gid("Fair", fair),
        "slug": "hoi-cho-moi",
        "status": "DRAFT",
        "errors": [],
    }
    assert (fair.organiser, fair.province.code, fair.venue_address) == (
        world.fair.organiser,
        "22",
        "Quảng trường 30/10, Hạ Long",
    )
    zone = _desk(client, world, "fairZoneCreate", {"fair": created["fairId"]})
    assert zone == {
        "zone": {
            "id": zone["zone"]["id"],
            "name": "Phố ẩm thực",
            "kind": "FOOD",
            "colour": "#8d6e63",
        },
        "errors": [],
    }
    # The same name twice, an unknown province, a cancellation without a reason: refused with
    # the service's field, message and code.
    query = CASES["fairZoneCreate"][0].replace("field code", "field message code")
    assert _errors_in(client, world, query, {"fair": created["fairId"]}, "fairZoneCreate") == [
        {
            "field": "name",
            "message": "This fair already has a zone called “Phố ẩm thực”.",
            "code": "DUPLICATE",
        }
    ]
    query = """mutation ($fair: ID!) { fairUpdate(fair: $fair, province: "99") {
      errors { field message code } } }"""
    assert _errors_in(client, world, query, {"fair": created["fairId"]}, "fairUpdate") == [
        {"field": "province", "message": "There is no province “99”.", "code": "NOT_FOUND"}
    ]
    query = """mutation ($fair: ID!, $to: FairStatus!, $reason: String) { fairTransition(
      fair: $fair, to: $to, reason: $reason) { status errors { field message code } } }"""
    for to, reason, expected in (
        ("RUNNING", "", [{"field": "status", "code": "INVALID_TRANSITION"}]),
        ("CANCELLED", " ", [{"field": "reason", "code": "REQUIRED"}]),
    ):
        errors = _errors_in(client, world, query, {"fair": created["fairId"], "to": to,
                                                   "reason": reason}, "fairTransition")  # fmt: skip
        assert [{"field": e["field"], "code": e["code"]} for e in errors] == expected
    for to in ("PUBLISHED", "RUNNING"):
        answer = call(client, world, "desk_manager", query,
                      {"fair": created["fairId"], "to": to}).json()["data"]["fairTransition"]  # fmt: skip
        assert answer == {"status": to, "errors": []}
    answer = call(client, world, "desk_manager", query,
                  {"fair": created["fairId"], "to": "CANCELLED", "reason": "Bão số 3"}).json()  # fmt: skip
    assert answer["data"]["fairTransition"] == {"status": "CANCELLED", "errors": []}
    fair.refresh_from_db()
    assert (fair.status, fair.cancellation_reason) == ("cancelled", "Bão số 3")
    # Another organiser's member does not find the fair at all.
    client.force_login(world.users["other_organiser"])
    body = json.dumps({"query": query, "variables": {"fair": created["fairId"], "to": "FINISHED"}})
    errors = client.post("/graphql/", body, content_type="application/json").json()["data"][
        "fairTransition"
    ]["errors"]
    assert [(e["field"], e["code"]) for e in errors] == [("fair", "PERMISSION_DENIED")]


def test_booths_merge_and_an_application_is_edited_through_the_api(client, world):
    merged = _desk(
        client, world, "fairBoothMerge", {"booths": [gid("FairBooth", b) for b in world.merge]}
    )
    assert merged == {
        "boothCode": "M-01",
        "x": 303,
        "y": 300,
        "width": 6,
        "height": 3,
        "errors": [],
    }
    assert not Booth.objects.filter(code="M-02").exists()
    # An assigned booth is not merged: the service's code comes back.
    query = CASES["fairBoothMerge"][0]
    booths = [gid("FairBooth", world.assigned_booth), gid("FairBooth", world.booths[0])]
    answer = call(client, world, "desk_manager", query, {"booths": booths}).json()
    assert answer["data"]["fairBoothMerge"]["errors"] == [{"field": None, "code": "ASSIGNED"}]
    query, variables, _allowed = CASES["fairApplicationUpdate"]
    client.logout()
    answer = call(client, world, "manager", query, variables(world)).json()
    assert answer["data"]["fairApplicationUpdate"] == {
        "applicationId": gid("ExhibitorApplication", world.mine),
        "status": "SUBMITTED",
        "errors": [],
    }
    world.mine.refresh_from_db()
    assert (world.mine.note, world.mine.booths_wanted) == ("Thêm một bàn", 2)
    # Once a booth is assigned it can no longer be edited.
    booth_assign(application=world.mine, booth=BoothFactory(zone__fair=world.mine.fair),
                 actor=world.users["desk_manager"])  # fmt: skip
    answer = call(client, world, "manager", query, variables(world)).json()
    assert answer["data"]["fairApplicationUpdate"]["errors"] == [{"field": None, "code": "CLOSED"}]


# --- private reads: the organiser's review list and a seller's own applications -----------

READS = {
    "fairApplications": (
        "query ($f: ID!) { fairApplications(fair: $f) { id sellerName status } }",
        lambda w: {"f": gid("Fair", w.fair)},
        {"desk_staff", "desk_manager"},
    ),
    "sellerFairApplications": (
        "query ($b: ID!) { sellerFairApplications(business: $b) { id fairSlug status } }",
        lambda w: {"b": gid("Business", w.seller)},
        {"owner", "manager", "staff", "token_own"},
    ),
}


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("read", list(READS))
def test_applications_read_matrix(client, world, read, actor):
    """Every member of the fair's organiser reads its review list (no token: a token is a
    seller's); every member of the seller and its token read the seller's applications. Anyone
    else gets PERMISSION_DENIED and nothing about the fair or the seller."""
    query, variables, allowed = READS[read]
    payload = call(client, world, actor, query, variables(world)).json()
    if actor in allowed:
        assert "errors" not in payload, payload["errors"]
        assert payload["data"][read] != []
    else:
        assert payload["data"] is None
        assert [e["extensions"]["code"] for e in payload["errors"]] == ["PERMISSION_DENIED"]


REVIEW_QUERY = """query ($f: ID!, $status: ExhibitorApplicationStatus, $province: String,
  $productSet: Int, $stars: Int) {
  fairApplications(fair: $f, status: $status, province: $province, productSet: $productSet,
                   stars: $stars) {
    id sellerName province status boothsWanted preferredZone hasLapsing bestStars
    products { offerId name stars lapsing }
    booths { code amountDue reference payBy feeState }
  }
}"""


def _review(client, world, **variables):
    payload = call(
        client, world, "desk_staff", REVIEW_QUERY, {"f": gid("Fair", world.fair), **variables}
    ).json()
    assert "errors" not in payload, payload["errors"]
    return payload["data"]["fairApplications"]


def test_the_review_list_filters_by_status_province_product_set_and_stars(client, world):
    import datetime

    from catalog.models import Certificate

    answer = _review(client, world)
    assert [a["sellerName"] for a in answer] == ["HTX Chè Đường Hoa", "HTX Ba kích Ba Chẽ"]
    accepted = answer[1]
    assignment = world.accepted.assignments.get()
    assert accepted["status"] == "ACCEPTED"
    assert accepted["booths"] == [
        {
            "code": "A-03",
            "amountDue": assignment.amount_due,
            "reference": assignment.reference,
            "payBy": assignment.pay_by.isoformat(),
            "feeState": "DUE",
        }
    ]
    assert accepted["products"][0]["offerId"] == gid("Offer", world.accepted.offers.get())

    assert [a["sellerName"] for a in _review(client, world, status="SUBMITTED")] == [
        "HTX Chè Đường Hoa"
    ]
    # The province: the Đường Hoa cooperative moves to Hồ Chí Minh City.
    moved = world.submitted.seller
    moved.province = province("79")
    moved.save()
    assert [a["sellerName"] for a in _review(client, world, province="79")] == ["HTX Chè Đường Hoa"]
    assert _review(client, world, province="99") == []
    # The product set of a product brought.
    product = world.accepted.offers.get().variant.product
    tea = world.submitted.offers.get().variant.product
    tea.product_set = product_set(1)
    tea.save()
    assert product.product_set.number == 4
    picked = [a["sellerName"] for a in _review(client, world, productSet=4)]
    assert picked == ["HTX Ba kích Ba Chẽ"]
    picked = [a["sellerName"] for a in _review(client, world, productSet=1)]
    assert picked == ["HTX Chè Đường Hoa"]
    assert _review(client, world, productSet=2) == []
    # Stars: the Ba Chẽ product's certificate is the only ★5.
    Certificate.objects.filter(product=product).update(stars=5)
    assert [a["sellerName"] for a in _review(client, world, stars=5)] == ["HTX Ba kích Ba Chẽ"]
    # The lapsing flag: the Đường Hoa product's certificate ends before the fair does.
    lapsing = world.submitted.offers.get().variant.product
    Certificate.objects.filter(product=lapsing).update(
        valid_until=world.fair.ends_on - datetime.timedelta(days=1)
    )
    flagged = {a["sellerName"]: (a["hasLapsing"], a["products"][0]["lapsing"]) for a in
               _review(client, world)}  # fmt: skip
    assert flagged == {"HTX Chè Đường Hoa": (True, True), "HTX Ba kích Ba Chẽ": (False, False)}


def test_the_review_list_costs_the_same_sql_for_two_or_ten_applications(client):
    counts = []
    for size in (2, 10):
        organiser, user = organiser_member(role="staff")
        fair = FairFactory(organiser=organiser)
        zone = ZoneFactory(fair=fair)
        _o, manager = organiser_member(organiser)
        for _n in range(size):
            application = applied(fair=fair)
            booth_assign(application=application, booth=BoothFactory(zone=zone), actor=manager)
        client.force_login(user)
        body = json.dumps({"query": REVIEW_QUERY, "variables": {"f": gid("Fair", fair)}})
        with CaptureQueriesContext(connection) as queries:
            data = client.post("/graphql/", body, content_type="application/json").json()
        assert len(data["data"]["fairApplications"]) == size
        assert all(len(a["booths"]) == 1 for a in data["data"]["fairApplications"])
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_a_seller_reads_its_applications_booths_and_fees_in_constant_sql(client, world):
    query = """query ($b: ID!) { sellerFairApplications(business: $b) {
      fairSlug status products { name stars lapsing } booths { code feeState } } }"""
    seller = world.accepted.seller
    owner = seller.memberships.get().user
    counts = []
    for extra in (0, 8):
        for _n in range(extra):
            application = applied(fair=FairFactory(), name=f"HTX phụ {_n}")
            application.seller = seller
            application.save()
        client.force_login(owner)
        body = json.dumps({"query": query, "variables": {"b": gid("Business", seller)}})
        with CaptureQueriesContext(connection) as queries:
            answer = client.post("/graphql/", body, content_type="application/json").json()
        counts.append(len(queries))
    rows = answer["data"]["sellerFairApplications"]
    assert len(rows) == 9
    assert rows[-1]["fairSlug"] == world.fair.slug
    assert rows[-1]["status"] == "ACCEPTED"
    assert rows[-1]["booths"] == [{"code": "A-03", "feeState": "DUE"}]
    assert counts[0] == counts[1]


BIG_FAIR_QUERY = """query ($slug: String!) { fair(slug: $slug) {
  zones { name colour }
  booths { code status exhibitor { sellerName } products { name stars } }
  exhibitors { sellerName boothCodes products { name stars } }
  programme { title } } }"""


def test_a_fair_of_300_booths_and_300_exhibitors_costs_the_sql_of_one_of_10(client):
    from tests.fairs.test_pages import _fair_in_bulk

    counts = []
    for booths, exhibitors in ((10, 3), (300, 300)):
        fair = _fair_in_bulk(booths, exhibitors)
        body = {"query": BIG_FAIR_QUERY, "variables": {"slug": fair.slug}}
        with CaptureQueriesContext(connection) as queries:
            answer = client.post("/graphql/", body, content_type="application/json").json()
        counts.append(len(queries))
        data = answer["data"]["fair"]
        assert len(data["booths"]) == booths
        assert len(data["exhibitors"]) == exhibitors
        taken = [b for b in data["booths"] if b["exhibitor"] is not None]
        assert len(taken) == exhibitors
        assert all(len(b["products"]) == 5 and b["products"][0]["stars"] for b in taken)
        assert all(b["products"] == [] for b in data["booths"] if b["exhibitor"] is None)
    assert counts[0] == counts[1]

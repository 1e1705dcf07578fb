"""Who may read each query and node type that returns private data, and that every field of
the schema is classified: public, or private with a row in this matrix.

Readers: anonymous, the buyer of the order, another signed-in buyer, the owner of another
seller, the holder's owner and staff member, the owner of a reseller the holder authorised, and
a marketplace staff user (``is_staff``, not a member: staff read private data in the admin, not
through the API). Cross-object cases: another seller naming its *own* business with the
victim's objects, and the authorised reseller reading the producer's private rows.

``test_every_field_is_classified`` introspects the schema: a new field, or a new type, fails
until it is listed as public (``PUBLIC``) or given a row below (``PRIVATE``).
"""

import json

import pytest
from graphql import GraphQLObjectType
from graphql_relay import to_global_id

from marketplace.fairs.models import ExhibitorApplication
from marketplace.offers.services import resale_grant
from marketplace.orders.models import Cart
from marketplace.orders.services import checkout_place_orders
from sellers.models import MembershipRole, SellerStatus
from tests.factories import BusinessFactory, MembershipFactory, UserFactory
from tests.factories_fairs import FairFactory
from tests.factories_orders import offer_in_stock, ready_cart
from tests.factories_traceability import event_for, stamps_for, traced_product
from traceability.services import carton_pack

pytestmark = pytest.mark.django_db

READERS = [
    "anonymous",
    "buyer",
    "stranger",
    "other_seller",
    "owner",
    "staff",
    "reseller",
    "marketplace_staff",
]
HOLDER = {"owner", "staff"}


@pytest.fixture
def world():
    traced = traced_product()
    traced.event = event_for(traced)
    traced.run, stamps, _pins = stamps_for(traced, 1)
    traced.carton = carton_pack(
        actor=traced.owner,
        business=traced.holder,
        batch=traced.batch,
        serials=[stamps[0].serial],
        event_time=traced.event.event_time,
        address="Kho Đồng Rui",
    ).carton
    offer, traced.stock = offer_in_stock(holder=traced.holder, name="Trà hoa vàng")
    traced.offer = offer
    buyer = UserFactory()
    (traced.order,) = checkout_place_orders(
        cart=ready_cart((offer, 1), user=buyer),
        payment_method="cod",
        confirmed=True,
        actor=buyer,
    )
    traced.open_cart = Cart.objects.create(user=buyer)
    reseller = BusinessFactory(status=SellerStatus.ACTIVE)
    reseller_owner = MembershipFactory(business=reseller, role=MembershipRole.OWNER).user
    traced.authorization = resale_grant(
        actor=traced.owner, product=traced.product, reseller=reseller
    )
    # The holder applied to a fair: its organiser's review list and the holder's own list.
    traced.fair = FairFactory()
    ExhibitorApplication.objects.create(fair=traced.fair, seller=traced.holder).offers.add(offer)
    other = MembershipFactory(role=MembershipRole.OWNER)
    traced.other_business = other.business
    traced.membership = traced.holder.memberships.get(user=traced.staff)
    traced.location = traced.stock.location
    traced.users = {
        "anonymous": None,
        "buyer": buyer,
        "stranger": UserFactory(),
        "other_seller": other.user,
        "owner": traced.owner,
        "staff": traced.staff,
        "reseller": reseller_owner,
        "marketplace_staff": UserFactory(is_staff=True),
    }
    return traced


def gid(type_name, obj):
    return to_global_id(type_name, obj.pk)


def _node(type_name, attribute):
    return (
        "query ($id: ID!) { node(id: $id) { id } }",
        lambda w: {"id": gid(type_name, getattr(w, attribute))},
    )


# name -> (document, variables, readers who see the data). A reader "sees" when the answer has
# no error and the data is present (not null, not an empty list or connection).
PRIVATE_READS = {
    "order": (
        "query ($n: String!) { order(number: $n) { number email } }",
        lambda w: {"n": w.order.number},
        {"buyer"},
    ),
    "myOrders": (
        "{ myOrders(first: 5) { edges { node { number } } } }",
        lambda w: {},
        {"buyer"},
    ),
    "cart": (
        "query ($t: UUID!) { cart(token: $t) { token } }",
        lambda w: {"t": str(w.open_cart.token)},
        {"buyer"},
    ),
    "sellerOrders": (
        "query ($b: ID!) { sellerOrders(business: $b, first: 5) { edges { node { number } } } }",
        lambda w: {"b": gid("Business", w.holder)},
        HOLDER,
    ),
    "batches": (
        "query ($b: ID!) { batches(business: $b, first: 5) { edges { node { lotCode } } } }",
        lambda w: {"b": gid("Business", w.holder)},
        HOLDER,
    ),
    "batch": (
        "query ($id: ID!) { batch(id: $id) { lotCode stampRuns { quantity } } }",
        lambda w: {"id": gid("Batch", w.batch)},
        HOLDER,
    ),
    "myOffers": (
        "query ($b: ID!) { myOffers(business: $b, first: 5) { edges { node { price } } } }",
        lambda w: {"b": gid("Business", w.holder)},
        HOLDER,
    ),
    "myStockLocations": (
        "query ($b: ID!) { myStockLocations(business: $b) { name } }",
        lambda w: {"b": gid("Business", w.holder)},
        HOLDER,
    ),
    "offerStocks": (
        "query ($id: ID!) { offer(id: $id) { stocks { quantity location { name } } } }",
        lambda w: {"id": gid("Offer", w.offer)},
        HOLDER,
    ),
    "sellerFairApplications": (
        "query ($b: ID!) { sellerFairApplications(business: $b) { fairSlug note } }",
        lambda w: {"b": gid("Business", w.holder)},
        HOLDER,
    ),
    # Only the fair's organiser's members read it (tests/graphql/test_fairs_api.py): none here.
    "fairApplications": (
        "query ($f: ID!) { fairApplications(fair: $f) { sellerName note } }",
        lambda w: {"f": gid("Fair", w.fair)},
        set(),
    ),
    "me": ("{ me { email } }", lambda w: {}, set(READERS) - {"anonymous"}),
    "nodeOrder": (*_node("Order", "order"), {"buyer", *HOLDER}),
    "nodeBatch": (*_node("Batch", "batch"), HOLDER),
    "nodeProvenanceEvent": (*_node("ProvenanceEvent", "event"), HOLDER),
    "nodeCarton": (*_node("Carton", "carton"), HOLDER),
    "nodeStampRun": (*_node("StampRun", "run"), HOLDER),
    "nodeStockLocation": (*_node("StockLocation", "location"), HOLDER),
    "nodeMembership": (*_node("Membership", "membership"), HOLDER),
    "nodeResaleAuthorization": (
        *_node("ResaleAuthorization", "authorization"),
        {"owner", "staff", "reseller"},
    ),
    # Cross-object: another seller names its own business; the victim's rows never appear.
    "ownBusinessOrders": (
        "query ($b: ID!) { sellerOrders(business: $b, first: 5) { edges { node { number } } } }",
        lambda w: {"b": gid("Business", w.other_business)},
        set(),
    ),
    "ownBusinessBatches": (
        "query ($b: ID!) { batches(business: $b, first: 5) { edges { node { lotCode } } } }",
        lambda w: {"b": gid("Business", w.other_business)},
        set(),
    ),
}


def _present(value) -> bool:
    if isinstance(value, dict):
        if "edges" in value:
            return bool(value["edges"])
        return all(_present(v) for v in value.values()) if value else False
    if isinstance(value, list):
        return bool(value)
    return value is not None


def _read(client, world, reader, query, variables):
    if world.users[reader] is not None:
        client.force_login(world.users[reader])
    response = client.post(
        "/graphql/",
        json.dumps({"query": query, "variables": variables}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return response.json()


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize("case", list(PRIVATE_READS))
def test_private_reads(client, world, case, reader):
    query, variables, readers = PRIVATE_READS[case]
    payload = _read(client, world, reader, query, variables(world))
    seen = not payload.get("errors") and all(
        _present(value) for value in (payload.get("data") or {None: None}).values()
    )
    assert seen is (reader in readers), payload
    if not seen and payload.get("errors"):
        # Refusals say nothing about the object.
        assert {e["extensions"]["code"] for e in payload["errors"]} <= {"PERMISSION_DENIED"}


# --- every field classified ----------------------------------------------------------------

# Types whose every field is private: reached only through the rows above (or a mutation's
# answer, which the mutation matrices cover).
PRIVATE_TYPES = {
    "Batch": "batch",
    "BatchConnection": "batches",
    "BatchEdge": "batches",
    "ProvenanceEvent": "nodeProvenanceEvent",
    "ProvenanceEventConnection": "batch",
    "ProvenanceEventEdge": "batch",
    "TransformationInput": "batch",
    "Carton": "nodeCarton",
    "StampRun": "nodeStampRun",
    "StampRunPrint": "nodeStampRun",
    "Order": "order",
    "OrderConnection": "sellerOrders",
    "OrderEdge": "sellerOrders",
    "OrderEvent": "order",
    "OrderLine": "order",
    "CartType": "cart",
    "CartLineView": "cart",
    "CartProblem": "cart",
    "SellerGroup": "cart",
    "PickupChoice": "cart",
    "PickupPlace": "order",
    "PaymentType": "order",
    "Me": "me",
    "Membership": "nodeMembership",
    "Invitation": "me",
    "StockLocation": "nodeStockLocation",
    "Stock": "offerStocks",
    "ResaleAuthorization": "nodeResaleAuthorization",
    "StampPin": "batch",
    "FairApplication": "sellerFairApplications",
    "FairApplicationProduct": "sellerFairApplications",
    "FairApplicationBooth": "sellerFairApplications",
}
# Private fields of otherwise public types.
PRIVATE_FIELDS = {
    "Query.batches": "batches",
    "Query.batch": "batch",
    "Query.cart": "cart",
    "Query.order": "order",
    "Query.myOrders": "myOrders",
    "Query.sellerOrders": "sellerOrders",
    "Query.myOffers": "myOffers",
    "Query.myStockLocations": "myStockLocations",
    "Query.me": "me",
    "Query.sellerFairApplications": "sellerFairApplications",
    "Query.fairApplications": "fairApplications",
    "Query.node": "nodeOrder",
    "Offer.stocks": "offerStocks",
    "Offer.hiddenReasons": "myOffers",
}
# Every other field: public data (the registry, the catalogue, what a scan shows).
PUBLIC = """
Business: id name slug legalType taxCode province commune street legacyAddress website status
  sellerType isDemo products offers
Certificate: id number stars validFrom validUntil isDemo status revocationGround revocation
  decisionNumber decisionDate issuer sourceUrl product evaluation
CertificateOnScanDate: day status stars validUntil revocationGround certificate
Criterion: code name maxPoints
Revocation: ground decisionNumber decisionDate authority
CriterionGroup: code name maxPoints part
CriterionOption: points label minStar
CriterionScore: group criterion option
Error: field message code
Evaluation: id council evaluatedOn isDemo framework frameworkName level productSet memberTotals
  totalScore bandStars stars capsApplied parts criteria provisional missingCriteria sourceUrl decisionNumber
  certificate product
Facet: name values
Fair: id name slug venueName venueAddress latitude longitude startsOn endsOn opensAt closesAt
  applicationsOpenOn applicationsCloseOn boothFee rules isDemo status description province
  organiser partners closedDays coverUrl url zones booths exhibitors venuePoint programme
FairAnnouncedCertificate: id number stars productName productSlug
FairBooth: id code zone areaM2 price x y width height status heldFor exhibitor products
FairConnection: pageInfo edges totalCount
FairEdge: node cursor
FairExhibitor: sellerName sellerSlug province boothCodes products
FairExhibitorProduct: name slug stars
FairOrganiser: id name slug kind
FairProgrammeItem: id title day certificates
FairZone: id name kind colour
FacetValue: value label count selected
Offer: id seller variant price compareAtPrice status publishedAt stock product
OfferConnection: pageInfo edges totalCount
OfferEdge: node cursor
PageInfo: hasNextPage hasPreviousPage startCursor endCursor
PartScore: code name maxScore score
PhotoRendition: width height url
PointOfSale: id slug coordinatesApproximate descriptionVi descriptionEn reopensOn isDemo name kind
  status closureReason province commune street legacyAddress latitude longitude phone description
  operator recognition url directionsUrl openingHours openingExceptions openNow closesAt
  nextOpening offersInStock displayedProducts
PointOfSaleConnection: pageInfo edges totalCount
PointOfSaleEdge: node cursor distanceKm
OpeningInterval: weekday opens closes
OpeningExceptionDay: date closed opens closes
PointRecognition: number date body
PointStock: offer product units stars
ProductPointOfSale: point distanceKm units inStock
Product: id name slug description story isDemo productCode productSet holder variants photos
  currentCertificate certificates evaluations offers pointsOfSale
ProductCategory: code name nameEn slug
ProductConnection: pageInfo edges totalCount
ProductEdge: node cursor
ProductPhoto: id width height altText position url renditions
ProductSet: category number name nameEn slug
ProductVariant: id name netQuantity unit gtin
Province: code name shortName slug
PublicBatch: lotCode producedOn expiresOn originProvince originCommune
Query: fairs fair search suggest stamp stampByUrl offer seller business products product
  certificate pointsOfSale pointOfSale
SearchConnection: pageInfo edges totalCount facets corrected didYouMean
SearchEdge: node cursor
SearchHit: kind title subtitle url highlight stars inForce buyable minPrice maxPrice sellerCount
  isDemo product
StarCap: criterion criterionName minStar cappedTo requiredPoints chosenPoints
StampVerification: verdict anomalies serial product producer batch certificate scanCount
  firstScannedAt firstScanProvince timeline offers pointsOfSale pinProtected pinVerifiedAt
Suggestion: kind title subtitle url highlight
TimelineEvent: id eventType businessStep disposition eventTime eventTimezone recordTime place
  address note photoUrl corrects correctedBy
"""


def _public_fields() -> set[str]:
    fields, type_name = set(), None
    for line in PUBLIC.strip().splitlines():
        if not line.startswith(" "):
            type_name, line = line.split(":", 1)
        fields |= {f"{type_name}.{name}" for name in line.split()}
    return fields


def test_every_field_is_classified():
    from api.schema import schema

    graphql_schema = schema.graphql_schema
    # A mutation's answer types are covered by the mutation matrices.
    payloads = {field.type.name for field in graphql_schema.mutation_type.fields.values()}
    fields = {
        f"{name}.{field}"
        for name, type_ in graphql_schema.type_map.items()
        if isinstance(type_, GraphQLObjectType)
        and not name.startswith("__")
        and name not in payloads | {"Mutation"}
        and name not in PRIVATE_TYPES
        for field in type_.fields
    }
    unclassified = fields - _public_fields() - set(PRIVATE_FIELDS)
    assert unclassified == set(), "Classify as PUBLIC or add a PRIVATE_READS row"
    assert _public_fields() - fields == set()  # no stale entries
    assert set(PRIVATE_TYPES) <= set(graphql_schema.type_map)
    assert set(PRIVATE_TYPES.values()) | set(PRIVATE_FIELDS.values()) <= set(PRIVATE_READS)

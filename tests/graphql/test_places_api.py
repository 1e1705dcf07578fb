"""GraphQL of points of sale: pointsOfSale (filters, near me, the cap, constant SQL),
pointOfSale (hours, open now, stock, displayed products), Product.pointsOfSale and the
operators' mutations (their permissions are in test_permission_matrix.py)."""

import datetime

import pytest
from graphql_relay import to_global_id

from marketplace.offers.models import Stock
from marketplace.places.models import OpeningException, PointOfSale
from sellers.models import SellerStatus
from tests.factories import BusinessFactory, MembershipFactory, revoke_certificate, selling_product
from tests.factories_places import point

pytestmark = pytest.mark.django_db
T = datetime.time

POINT_FIELDS = """
  id name slug kind status province { code name } commune latitude longitude
  operator { name } url openNow closesAt nextOpening
  openingHours { weekday opens closes } openingExceptions { date closed opens closes }
  offersInStock { units stars offer { price seller { name } } product { name slug } }
  displayedProducts { name }
"""


def stocked(target, *, quantity=5, **product_kwargs):
    product, certificate, (offer,) = selling_product(
        holder=target.location.business, **product_kwargs
    )
    Stock.objects.create(offer=offer, location=target.location, quantity=quantity)
    return product, certificate, offer


def edges(data):
    return data["pointsOfSale"]["edges"]


def test_points_filters_and_order(gql):
    centre = point(name="Trung tâm A", code="22")
    point(name="Ki-ốt B", kind="bus_station", code="01", latitude="21.0", longitude="105.8")
    product, _c, _o = stocked(centre, name="Mật ong Ba Chẽ")
    query = """query ($kind: PointOfSaleKind, $province: String, $product: ID, $inStock: Boolean)
      { pointsOfSale(kind: $kind, province: $province, product: $product, inStock: $inStock)
        { totalCount edges { distanceKm node { name } } } }"""

    def names(**variables):
        return [e["node"]["name"] for e in edges(gql(query, variables))]

    assert names() == ["Ki-ốt B", "Trung tâm A"]
    assert names(kind="BUS_STATION") == ["Ki-ốt B"]
    assert names(province="ha-noi") == names(province="01") == ["Ki-ốt B"]
    product_id = to_global_id("Product", product.pk)
    assert names(product=product_id, inStock=True) == ["Trung tâm A"]
    Stock.objects.filter(location=centre.location).update(quantity=0)
    assert names(product=product_id, inStock=True) == []
    errors = gql.errors(query, {"province": "atlantis"})
    assert errors[0]["extensions"]["code"] == "NOT_FOUND"


def test_near_orders_by_distance_with_distance_on_each_edge(gql):
    point(name="Xa", latitude="21.100000", longitude="105.800000", code="01")
    point(name="Gần", latitude="21.010000", longitude="105.800000", code="01")
    point(name="Ngoài bán kính", latitude="22.000000", longitude="105.800000", code="01")
    data = gql(
        """{ pointsOfSale(near: {latitude: 21.0, longitude: 105.8}, radiusKm: 50)
           { totalCount edges { distanceKm node { name } } } }"""
    )
    assert data["pointsOfSale"]["totalCount"] == 2
    assert [(e["node"]["name"], round(e["distanceKm"], 2)) for e in edges(data)] == [
        ("Gần", 1.11),
        ("Xa", 11.12),
    ]
    errors = gql.errors(
        "{ pointsOfSale(near: {latitude: 21, longitude: 105.8}, radiusKm: 900) { totalCount } }"
    )
    assert errors[0]["extensions"]["code"] == "OUT_OF_RANGE"
    errors = gql.errors("{ pointsOfSale(first: 101) { totalCount } }", status=400)
    assert errors[0]["extensions"]["code"] == "OUT_OF_RANGE"


def test_open_now_filter(gql):
    point(name="Luôn mở", hours=[(day, T(0), T(0)) for day in range(7)])
    point(name="Không bao giờ mở", hours=[])
    data = gql("{ pointsOfSale(openNow: true) { edges { node { name openNow } } } }")
    assert [e["node"] for e in edges(data)] == [{"name": "Luôn mở", "openNow": True}]


def test_point_by_slug_with_hours_stock_and_displayed(gql):
    target = point(
        name="Trung tâm OCOP Hạ Long", hours=[(0, T(8), T(11, 30)), (0, T(13, 30), T(21))]
    )
    product, certificate, _offer = stocked(target, name="Chả mực Hạ Long", quantity=7)
    shown, _c2, _o2 = selling_product(name="Ngọc trai Hạ Long")
    target.displayed_products.set([shown, product])
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    OpeningException.objects.create(location=target.location, date=tomorrow, closed=True)
    query = "query ($slug: String) { pointOfSale(slug: $slug) { " + POINT_FIELDS + " } }"
    found = gql(query, {"slug": target.slug})["pointOfSale"]
    assert found["name"] == "Trung tâm OCOP Hạ Long"
    assert (found["kind"], found["province"]["code"]) == ("OCOP_CENTRE", "22")
    assert found["openingHours"] == [
        {"weekday": 0, "opens": "08:00", "closes": "11:30"},
        {"weekday": 0, "opens": "13:30", "closes": "21:00"},
    ]
    assert found["openingExceptions"] == [
        {"date": tomorrow.isoformat(), "closed": True, "opens": None, "closes": None}
    ]
    assert [(s["product"]["name"], s["units"]) for s in found["offersInStock"]] == [
        ("Chả mực Hạ Long", 7)
    ]
    assert found["displayedProducts"] == [{"name": "Ngọc trai Hạ Long"}]
    assert (found["openNow"] is True) == (found["nextOpening"] is None)
    by_id = gql("query ($id: ID) { pointOfSale(id: $id) { name } }", {"id": found["id"]})[
        "pointOfSale"
    ]
    assert by_id == {"name": "Trung tâm OCOP Hạ Long"}
    # The certificate is revoked: the product leaves the point at once.
    revoke_certificate(certificate=certificate, ground="false_dossier")
    found = gql(query, {"slug": target.slug})["pointOfSale"]
    assert found["offersInStock"] == []
    # Suspended: gone.
    PointOfSale.objects.filter(pk=target.pk).update(
        suspended_at=datetime.datetime.now(datetime.UTC)
    )
    assert gql(query, {"slug": target.slug})["pointOfSale"] is None


@pytest.mark.parametrize("count", [2, 10])
def test_points_page_costs_constant_sql(gql, django_assert_num_queries, count):
    shown, _c, _o = selling_product(name="Trưng bày")
    for n in range(count):
        created = point(latitude=f"{21 + n / 1000:.6f}", longitude="105.800000", code="01")
        stocked(created, name=f"Sản phẩm {count}-{n}")
        stocked(created, name=f"Sản phẩm {count}-{n}b")
        created.displayed_products.set([shown])
    query = (
        "{ pointsOfSale(near: {latitude: 21.0, longitude: 105.8}, inStock: true) "
        "{ totalCount edges { distanceKm node { " + POINT_FIELDS + " } } } }"
    )
    gql(query)
    # ids in the box; points with location, province, operator; hours; exceptions; offers in
    # stock (seller and product joined); displayed pairs; displayed products.
    with django_assert_num_queries(7):
        data = gql(query)
    assert len(edges(data)) == count
    assert all(len(e["node"]["offersInStock"]) == 2 for e in edges(data))


def test_product_points_of_sale_nearest_first(gql):
    near = point(name="Gần", latitude="21.010000", longitude="105.800000", code="01")
    far = point(
        name="Xa",
        latitude="21.100000",
        longitude="105.800000",
        code="01",
        operator=near.location.business,
    )
    product, _c, offer = stocked(near, name="Mật ong")
    Stock.objects.create(offer=offer, location=far.location, quantity=3)
    showroom = point(name="Phòng trưng bày", latitude="21.05", longitude="105.8", code="01")
    showroom.displayed_products.set([product])
    query = """query ($slug: String!, $displayed: Boolean) { product(slug: $slug) {
      pointsOfSale(near: {latitude: 21.0, longitude: 105.8}, includeDisplayed: $displayed) {
        distanceKm units inStock point { name } } } }"""
    rows = gql(query, {"slug": product.slug})["product"]["pointsOfSale"]
    assert [(r["point"]["name"], r["units"], round(r["distanceKm"], 2)) for r in rows] == [
        ("Gần", 5, 1.11),
        ("Xa", 3, 11.12),
    ]
    rows = gql(query, {"slug": product.slug, "displayed": True})["product"]["pointsOfSale"]
    assert [(r["point"]["name"], r["inStock"]) for r in rows] == [
        ("Gần", True),
        ("Xa", True),
        ("Phòng trưng bày", False),
    ]


@pytest.mark.parametrize("count", [2, 10])
def test_products_points_of_sale_constant_sql(gql, django_assert_num_queries, count):
    target = point(latitude="21.01", longitude="105.8", code="01")
    for n in range(count):
        stocked(target, name=f"Hàng {count}-{n}")
    query = """{ products(first: 100) { edges { node { name
      pointsOfSale(near: {latitude: 21.0, longitude: 105.8}, first: 3) {
        distanceKm point { name openNow province { name } } } } } } }"""
    gql(query)
    # products: count, page, then the page's points (one query), and those points' rows
    # (points, hours, exceptions).
    with django_assert_num_queries(6):
        data = gql(query)
    nodes = [e["node"] for e in data["products"]["edges"]]
    assert len(nodes) == count
    assert all(len(node["pointsOfSale"]) == 1 for node in nodes)


CREATE = """mutation ($business: ID!, $lat: Float!) { pointOfSaleCreate(business: $business,
  name: "Quầy OCOP Bến xe Bãi Cháy", kind: BUS_STATION, province: "22", latitude: $lat,
  longitude: 107.04, commune: "Bãi Cháy") {
  point { name slug kind latitude province { code } } errors { field message code } } }"""


def test_operator_creates_and_edits_a_point(client, gql):
    business = BusinessFactory(status=SellerStatus.ACTIVE)
    owner = MembershipFactory(business=business, role="owner").user
    client.force_login(owner)
    business_id = to_global_id("Business", business.pk)
    result = gql(CREATE, {"business": business_id, "lat": 30.5})["pointOfSaleCreate"]
    assert result["point"] is None
    assert [(e["field"], e["code"]) for e in result["errors"]] == [("latitude", "OUT_OF_RANGE")]
    assert PointOfSale.objects.count() == 0
    result = gql(CREATE, {"business": business_id, "lat": 20.9581234})["pointOfSaleCreate"]
    assert result["errors"] == []
    assert result["point"] == {
        "name": "Quầy OCOP Bến xe Bãi Cháy",
        "slug": "quay-ocop-ben-xe-bai-chay",
        "kind": "BUS_STATION",
        "latitude": 20.958123,
        "province": {"code": "22"},
    }
    created = PointOfSale.objects.get()
    point_id = to_global_id("PointOfSale", created.pk)
    result = gql(
        """mutation ($point: ID!) { pointOfSaleUpdate(point: $point, phone: "0203 3846 123")
           { point { name phone commune } errors { field code } } }""",
        {"point": point_id},
    )["pointOfSaleUpdate"]
    assert result == {
        "point": {
            "name": "Quầy OCOP Bến xe Bãi Cháy",
            "phone": "+842033846123",
            "commune": "Bãi Cháy",
        },
        "errors": [],
    }
    result = gql(
        """mutation ($point: ID!) { pointOfSaleHoursSet(point: $point, hours: [
             {weekday: 0, opens: "08:00", closes: "12:00"},
             {weekday: 0, opens: "11:00", closes: "13:00"}]) {
           point { openingHours { weekday } } errors { field code } } }""",
        {"point": point_id},
    )["pointOfSaleHoursSet"]
    assert result == {"point": None, "errors": [{"field": "hours", "code": "OVERLAP"}]} or (
        result["errors"][0]["field"] == "hours"
    )
    result = gql(
        """mutation ($point: ID!) { pointOfSaleHoursSet(point: $point, hours: [
             {weekday: 5, opens: "18:00", closes: "02:00"}]) {
           point { openingHours { weekday opens closes } } errors { field code } } }""",
        {"point": point_id},
    )["pointOfSaleHoursSet"]
    assert result == {
        "point": {"openingHours": [{"weekday": 5, "opens": "18:00", "closes": "02:00"}]},
        "errors": [],
    }
    day = datetime.date.today() + datetime.timedelta(days=3)
    result = gql(
        """mutation ($point: ID!, $date: Date!) { pointOfSaleExceptionSet(point: $point,
           date: $date, closed: true, reason: "Tết") { point { openingExceptions { date closed } }
           errors { field code } } }""",
        {"point": point_id, "date": day.isoformat()},
    )["pointOfSaleExceptionSet"]
    assert result["point"]["openingExceptions"] == [{"date": day.isoformat(), "closed": True}]
    result = gql(
        """mutation ($point: ID!, $date: Date!) { pointOfSaleExceptionDelete(point: $point,
           date: $date) { point { openingExceptions { date } } errors { field code } } }""",
        {"point": point_id, "date": day.isoformat()},
    )["pointOfSaleExceptionDelete"]
    assert result == {"point": {"openingExceptions": []}, "errors": []}
    result = gql(
        """mutation ($point: ID!) { pointOfSaleStatusSet(point: $point,
           status: TEMPORARILY_CLOSED) { point { status } errors { field code } } }""",
        {"point": point_id},
    )["pointOfSaleStatusSet"]
    assert result == {"point": None, "errors": [{"field": "reason", "code": "REQUIRED"}]}
    result = gql(
        """mutation ($point: ID!) { pointOfSaleStatusSet(point: $point,
           status: TEMPORARILY_CLOSED, reason: "Sửa chữa") { point { status closureReason openNow }
           errors { field code } } }""",
        {"point": point_id},
    )["pointOfSaleStatusSet"]
    assert result == {
        "point": {"status": "TEMPORARILY_CLOSED", "closureReason": "Sửa chữa", "openNow": False},
        "errors": [],
    }

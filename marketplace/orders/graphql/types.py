"""GraphQL types of carts (with their checkout summary) and orders."""

from __future__ import annotations

import graphene
from graphene_django import DjangoObjectType
from graphql_relay import to_global_id

from core.graphql.connections import CountableConnection
from core.graphql.relay import Node
from core.graphql.types import enum_from_choices, enum_value, lazy_model_type
from marketplace.offers.graphql.types import OfferType, StockLocationType
from marketplace.orders.graphql.shaping import EVENTS, LINES, order_queryset
from marketplace.orders.models import (
    DeliveryMethod,
    Order,
    OrderEvent,
    OrderLine,
    OrderStatus,
    PaymentMethod,
)
from marketplace.orders.selectors import checkout_summary, order_pickup
from marketplace.places.graphql.types import OpeningExceptionDay, OpeningInterval
from marketplace.places.selectors import location_address, point_of
from sellers.graphql.acting import acting_businesses
from sellers.models import Business

OrderStatusEnum = enum_from_choices("OrderStatus", OrderStatus, "Where an order stands.")
PaymentMethodEnum = enum_from_choices("PaymentMethod", PaymentMethod, "How the buyer pays.")
DeliveryMethodEnum = enum_from_choices("DeliveryMethod", DeliveryMethod, "How goods reach them.")


class CartProblem(graphene.ObjectType):
    code = graphene.String(required=True)
    message = graphene.String(required=True)


class CartLineView(graphene.ObjectType):
    id = graphene.Int(required=True, description="The line's number in this cart.")
    offer = graphene.Field(OfferType, required=True)
    quantity = graphene.Int(required=True)
    unit_price = graphene.Int(required=True, description="Today's price, whole đồng.")
    line_total = graphene.Int(required=True)
    available = graphene.Int(required=True)
    problems = graphene.List(graphene.NonNull(CartProblem), required=True)


def _point_id(point) -> str | None:
    return to_global_id("PointOfSale", point.pk) if point is not None else None


class PickupChoice(graphene.ObjectType):
    """A place where this seller's goods can be picked up: active, not closed for good, with
    every line's units in stock there."""

    location = graphene.Field(StockLocationType, required=True)
    point_of_sale = graphene.ID(description="The point of sale this place is (Relay ID), if any.")
    name = graphene.String(required=True)
    address = graphene.String(required=True)
    available_from = graphene.Date(
        description="First day it takes pickups, for a place open some days only (a fair "
        "booth: the fair's first day); null without a limit."
    )
    available_until = graphene.Date(description="Last day it takes pickups; null without a limit.")

    @staticmethod
    def resolve_location(root, info):
        return root

    @staticmethod
    def resolve_point_of_sale(root, info):
        return _point_id(point_of(root))

    @staticmethod
    def resolve_name(root, info):
        return root.name

    @staticmethod
    def resolve_address(root, info):
        return location_address(root)


class PickupPlaceType(graphene.ObjectType):
    """Where and when an order is collected: the name and address given at checkout, the
    place's weekly hours and upcoming exceptions (Vietnam time) and a directions link."""

    name = graphene.String(required=True)
    address = graphene.String(required=True)
    point_of_sale = graphene.ID(description="The point of sale (Relay ID), if it is one.")
    directions_url = graphene.String(required=True)
    opening_hours = graphene.List(graphene.NonNull(OpeningInterval), required=True)
    opening_exceptions = graphene.List(
        graphene.NonNull(OpeningExceptionDay),
        required=True,
        description="Upcoming days whose hours differ from the week's.",
    )
    open_now = graphene.Boolean(description="Null for a place that is not a point of sale.")

    class Meta:
        name = "PickupPlace"

    @staticmethod
    def resolve_point_of_sale(root, info):
        return _point_id(root.point)

    @staticmethod
    def resolve_opening_hours(root, info):
        return [(day, opens, closes) for day, _label, spans in root.week for opens, closes in spans]

    @staticmethod
    def resolve_opening_exceptions(root, info):
        return root.exceptions

    @staticmethod
    def resolve_open_now(root, info):
        return root.state.open_now if root.state is not None else None


class SellerGroup(graphene.ObjectType):
    seller = graphene.Field(lazy_model_type(Business), required=True)
    lines = graphene.List(graphene.NonNull(CartLineView), required=True)
    subtotal = graphene.Int(required=True)
    shipping_fee = graphene.Int(required=True)
    total = graphene.Int(required=True)
    delivery_method = graphene.Field(DeliveryMethodEnum, required=True)
    pickup_location = graphene.Field(StockLocationType)
    pickup_point = graphene.ID(description="The chosen pickup point of sale (Relay ID), if any.")
    pickup_choices = graphene.List(graphene.NonNull(PickupChoice), required=True)


class CartType(graphene.ObjectType):
    """A cart and its checkout details, grouped by seller with today's prices and fees."""

    token = graphene.UUID(required=True)
    email = graphene.String(required=True)
    phone = graphene.String(required=True)
    recipient_name = graphene.String(required=True)
    province = graphene.String(description="Province code.")
    commune = graphene.String(required=True)
    street = graphene.String(required=True)
    note = graphene.String(required=True)
    seller_groups = graphene.List(graphene.NonNull(SellerGroup), required=True)
    total = graphene.Int(required=True)
    problems = graphene.List(graphene.NonNull(CartProblem), required=True)

    @staticmethod
    def _summary(root):
        if not hasattr(root, "_summary"):
            root._summary = checkout_summary(cart=root)
        return root._summary

    @staticmethod
    def resolve_province(root, info):
        return root.province.code if root.province_id else None

    @staticmethod
    def resolve_seller_groups(root, info):
        return [
            SellerGroup(
                seller=group.seller,
                lines=[
                    CartLineView(
                        id=view.line.pk,
                        offer=view.line.offer,
                        quantity=view.line.quantity,
                        unit_price=view.unit_price,
                        line_total=view.line_total,
                        available=view.available,
                        problems=[
                            CartProblem(code=p.code, message=p.message) for p in view.problems
                        ],
                    )
                    for view in group.lines
                ],
                subtotal=group.subtotal,
                shipping_fee=group.shipping_fee,
                total=group.total,
                delivery_method=enum_value(group.delivery_method),
                pickup_location=group.pickup_location,
                pickup_point=_point_id(point_of(group.pickup_location))
                if group.pickup_location
                else None,
                pickup_choices=group.pickup_locations if group.pickup_enabled else [],
            )
            for group in CartType._summary(root).groups
        ]

    @staticmethod
    def resolve_total(root, info):
        return CartType._summary(root).total

    @staticmethod
    def resolve_problems(root, info):
        return [
            CartProblem(code=p.code, message=p.message) for p in CartType._summary(root).problems
        ]


class OrderLineType(DjangoObjectType):
    class Meta:
        model = OrderLine
        name = "OrderLine"
        fields = ("product_name", "variant_name", "unit_price", "quantity", "line_total")


class OrderEventType(DjangoObjectType):
    from_status = graphene.String()
    to_status = graphene.Field(OrderStatusEnum, required=True)

    class Meta:
        model = OrderEvent
        name = "OrderEvent"
        fields = ("from_status", "to_status", "note", "created_at")

    @staticmethod
    def resolve_to_status(root, info):
        return enum_value(root.to_status)


class OrderType(DjangoObjectType):
    """One seller's order from a checkout."""

    status = graphene.Field(OrderStatusEnum, required=True)
    payment_method = graphene.Field(PaymentMethodEnum, required=True)
    delivery_method = graphene.Field(DeliveryMethodEnum, required=True)
    seller = graphene.Field(lazy_model_type(Business), required=True)
    lines = graphene.List(graphene.NonNull(OrderLineType), required=True)
    events = graphene.List(graphene.NonNull(OrderEventType), required=True)
    pickup_location = graphene.String()
    pickup = graphene.Field(PickupPlaceType, description="Where to collect it; null when shipped.")

    class Meta:
        model = Order
        name = "Order"
        interfaces = (Node,)
        connection_class = CountableConnection
        fields = (
            "id",
            "number",
            "subtotal",
            "shipping_fee",
            "total",
            "recipient_name",
            "phone",
            "email",
            "commune",
            "street",
            "placed_at",
            "paid_at",
            "carrier",
            "tracking_number",
        )

    @classmethod
    def get_node(cls, info, id):
        user = info.context.user
        acting = acting_businesses(info)
        orders = Order.objects.filter(pk=id)
        if user.is_authenticated:
            return order_queryset(
                orders.filter(buyer=user) | orders.filter(seller__in=acting)
            ).first()
        return None

    @staticmethod
    def resolve_status(root, info):
        return enum_value(root.status)

    @staticmethod
    def resolve_payment_method(root, info):
        return enum_value(root.payment_method)

    @staticmethod
    def resolve_delivery_method(root, info):
        return enum_value(root.delivery_method)

    @staticmethod
    def resolve_lines(root, info):
        return getattr(root, LINES) if hasattr(root, LINES) else list(root.lines.order_by("id"))

    @staticmethod
    def resolve_events(root, info):
        if hasattr(root, EVENTS):
            return getattr(root, EVENTS)
        return list(root.events.order_by("created_at", "id"))

    @staticmethod
    def resolve_pickup_location(root, info):
        if not root.pickup_location_id:
            return None
        return root.pickup_name or root.pickup_location.name

    @staticmethod
    def resolve_pickup(root, info):
        return order_pickup(root)

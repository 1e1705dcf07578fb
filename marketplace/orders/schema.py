"""GraphQL for buying: the cart (identified by its token), checkout, payment start, the buyer's
orders, and the seller's orders and fulfilment (through memberships, like offers).

A cart's token is its secret while the cart is anonymous; once a cart belongs to a user, only
that user may use it. Every mutation calls one orders or payments service; their refusals come
back as ``errors`` (``SOLD_OUT``, ``PRICE_CHANGED``, ``OFFER_UNAVAILABLE``…) and change nothing.
"""

from __future__ import annotations

import graphene
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from graphene_django import DjangoObjectType

from core.graphql.connections import ConnectionField, CountableConnection
from core.graphql.errors import ErrorCode, api_error, errors_from_exception
from core.graphql.mutations import BaseMutation
from core.graphql.relay import Node, from_global_id_or_error
from core.graphql.types import enum_from_choices
from core.models import Province
from marketplace.offers.models import Offer, StockLocation
from marketplace.offers.schema import OfferType, StockLocationType
from marketplace.orders.errors import CheckoutError
from marketplace.orders.models import (
    Cart,
    CartLine,
    CartStatus,
    DeliveryMethod,
    Order,
    OrderEvent,
    OrderLine,
    OrderStatus,
    PaymentMethod,
)
from marketplace.orders.selectors import checkout_summary
from marketplace.orders.services import (
    cart_line_add,
    cart_line_remove,
    cart_line_update,
    checkout_address_set,
    checkout_contact_set,
    checkout_delivery_set,
    checkout_note_set,
    order_cancel,
    order_complete,
    order_deliver,
    order_process,
    order_ship,
)
from marketplace.payments.models import Payment
from marketplace.payments.providers import vietqr_for
from marketplace.payments.services import checkout_complete, checkout_payment_start
from sellers.models import Business
from sellers.schema import BusinessType, SellerMutation, acting_businesses, own_object

OrderStatusEnum = enum_from_choices("OrderStatus", OrderStatus, "Where an order stands.")
PaymentMethodEnum = enum_from_choices("PaymentMethod", PaymentMethod, "How the buyer pays.")
DeliveryMethodEnum = enum_from_choices("DeliveryMethod", DeliveryMethod, "How goods reach them.")


def _value(member):
    return getattr(member, "value", member)


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


class SellerGroup(graphene.ObjectType):
    seller = graphene.Field(BusinessType, required=True)
    lines = graphene.List(graphene.NonNull(CartLineView), required=True)
    subtotal = graphene.Int(required=True)
    shipping_fee = graphene.Int(required=True)
    total = graphene.Int(required=True)
    delivery_method = graphene.Field(DeliveryMethodEnum, required=True)
    pickup_location = graphene.Field(StockLocationType)


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
                delivery_method=_value(group.delivery_method),
                pickup_location=group.pickup_location,
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
        return _value(root.to_status)


LINES = "graphql_lines"
EVENTS = "graphql_events"


def _order_queryset(queryset):
    return queryset.select_related("seller", "pickup_location").prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.order_by("id"), to_attr=LINES),
        Prefetch(
            "events", queryset=OrderEvent.objects.order_by("created_at", "id"), to_attr=EVENTS
        ),
    )


class OrderType(DjangoObjectType):
    """One seller's order from a checkout."""

    status = graphene.Field(OrderStatusEnum, required=True)
    payment_method = graphene.Field(PaymentMethodEnum, required=True)
    delivery_method = graphene.Field(DeliveryMethodEnum, required=True)
    seller = graphene.Field(BusinessType, required=True)
    lines = graphene.List(graphene.NonNull(OrderLineType), required=True)
    events = graphene.List(graphene.NonNull(OrderEventType), required=True)
    pickup_location = graphene.String()

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
            return _order_queryset(
                orders.filter(buyer=user) | orders.filter(seller__in=acting)
            ).first()
        return None

    @staticmethod
    def resolve_status(root, info):
        return _value(root.status)

    @staticmethod
    def resolve_payment_method(root, info):
        return _value(root.payment_method)

    @staticmethod
    def resolve_delivery_method(root, info):
        return _value(root.delivery_method)

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
        return root.pickup_location.name if root.pickup_location_id else None


class PaymentType(graphene.ObjectType):
    method = graphene.Field(PaymentMethodEnum, required=True)
    status = graphene.String(required=True)
    amount = graphene.Int(required=True)
    reference = graphene.String(required=True)
    client_secret = graphene.String(description="For Stripe's Payment Element (card only).")
    vietqr_payload = graphene.String(description="The VietQR payload to draw (bank transfer).")
    orders = graphene.List(graphene.NonNull(OrderType), required=True)


def _payment(payment: Payment) -> PaymentType:
    return PaymentType(
        method=_value(payment.method),
        status=_value(payment.status),
        amount=payment.amount,
        reference=payment.reference,
        client_secret=payment.client_secret or None,
        vietqr_payload=vietqr_for(amount=payment.amount, reference=payment.reference)
        if payment.method == PaymentMethod.VIETQR
        else None,
        orders=list(_order_queryset(Order.objects.filter(cart_id=payment.cart_id)).order_by("id")),
    )


# --- queries ------------------------------------------------------------------------------------


def _cart(info, token) -> Cart:
    """An open cart by its token: anyone holding the token of an anonymous cart, only its owner
    for a user's cart. Any other answer is the same NOT_FOUND."""
    cart = (
        Cart.objects.filter(token=token, status=CartStatus.OPEN).select_related("province").first()
    )
    user = info.context.user
    if cart is None or (cart.user_id and cart.user_id != getattr(user, "pk", None)):
        raise CheckoutError(
            _("There is no open cart with this token."), code="not_found", field="token"
        )
    return cart


class Query(graphene.ObjectType):
    cart = graphene.Field(CartType, token=graphene.UUID(required=True))
    order = graphene.Field(
        OrderType, number=graphene.String(required=True), description="One of your orders."
    )
    my_orders = ConnectionField(
        OrderType,
        status=graphene.Argument(OrderStatusEnum),
        description="Your orders, newest first.",
    )
    seller_orders = ConnectionField(
        OrderType,
        business=graphene.ID(required=True),
        status=graphene.Argument(OrderStatusEnum),
        description="Orders of a business you belong to, newest first.",
    )

    @staticmethod
    def resolve_cart(root, info, token):
        try:
            return _cart(info, token)
        except CheckoutError:
            return None

    @staticmethod
    def resolve_order(root, info, number):
        user = info.context.user
        if not user.is_authenticated:
            return None
        return _order_queryset(Order.objects.filter(buyer=user, number=number)).first()

    @staticmethod
    def resolve_my_orders(root, info, status=None, **_pagination):
        user = info.context.user
        if not user.is_authenticated:
            return Order.objects.none()
        orders = Order.objects.filter(buyer=user)
        if status is not None:
            orders = orders.filter(status=_value(status))
        return _order_queryset(orders).order_by("-placed_at", "-id")

    @staticmethod
    def resolve_seller_orders(root, info, business, status=None, **_pagination):
        pk = from_global_id_or_error(business, BusinessType)
        found = acting_businesses(info).filter(pk=pk).first()
        if found is None:
            raise api_error(_("You do not act for this business."), ErrorCode.PERMISSION_DENIED)
        orders = Order.objects.filter(seller=found)
        if status is not None:
            orders = orders.filter(status=_value(status))
        return _order_queryset(orders).order_by("-placed_at", "-id")


# --- cart and checkout mutations (anyone holding the cart) ---------------------------------------


class CartMutation(BaseMutation):
    class Meta:
        abstract = True

    cart = graphene.Field(CartType)

    @classmethod
    def check_permissions(cls, info, **data) -> bool:
        return True  # the cart's token (or its owner's session) is the permission


class CartCreate(CartMutation):
    """A new cart; signed in, your open cart (created if you have none)."""

    @classmethod
    def perform_mutation(cls, root, info):
        user = info.context.user
        if user.is_authenticated:
            cart = Cart.objects.filter(user=user, status=CartStatus.OPEN).first()
            return cls(cart=cart or Cart.objects.create(user=user))
        return cls(cart=Cart.objects.create())


class CartLineAdd(CartMutation):
    class Arguments:
        token = graphene.UUID(required=True)
        offer = graphene.ID(required=True)
        quantity = graphene.Int(default_value=1)

    @classmethod
    def perform_mutation(cls, root, info, token, offer, quantity=1):
        cart = _cart(info, token)
        pk = from_global_id_or_error(offer, OfferType)
        found = Offer.objects.select_related("variant__product").filter(pk=pk).first()
        if found is None:
            raise CheckoutError(_("There is no such offer."), code="not_found", field="offer")
        cart_line_add(cart=cart, offer=found, quantity=quantity)
        return cls(cart=cart)


class CartLineUpdate(CartMutation):
    class Arguments:
        token = graphene.UUID(required=True)
        line = graphene.Int(required=True)
        quantity = graphene.Int(required=True, description="0 removes the line.")

    @classmethod
    def perform_mutation(cls, root, info, token, line, quantity):
        cart = _cart(info, token)
        found = (
            CartLine.objects.filter(cart=cart, pk=line)
            .select_related("offer__variant__product")
            .first()
        )
        if found is None:
            raise CheckoutError(_("That line is not in your cart."), code="not_found", field="line")
        cart_line_update(cart=cart, line=found, quantity=quantity)
        return cls(cart=cart)


class CartLineRemove(CartMutation):
    class Arguments:
        token = graphene.UUID(required=True)
        line = graphene.Int(required=True)

    @classmethod
    def perform_mutation(cls, root, info, token, line):
        cart = _cart(info, token)
        found = CartLine.objects.filter(cart=cart, pk=line).first()
        if found is None:
            raise CheckoutError(_("That line is not in your cart."), code="not_found", field="line")
        cart_line_remove(cart=cart, line=found)
        return cls(cart=cart)


class CheckoutContactSet(CartMutation):
    class Arguments:
        token = graphene.UUID(required=True)
        email = graphene.String(required=True)
        phone = graphene.String(required=True)

    @classmethod
    def perform_mutation(cls, root, info, token, email, phone):
        cart = _cart(info, token)
        return cls(cart=checkout_contact_set(cart=cart, email=email, phone=phone))


class CheckoutAddressSet(CartMutation):
    class Arguments:
        token = graphene.UUID(required=True)
        recipient_name = graphene.String(required=True)
        province = graphene.String(required=True, description='Current province code, e.g. "01".')
        commune = graphene.String(required=True)
        street = graphene.String(required=True)

    @classmethod
    def perform_mutation(cls, root, info, token, recipient_name, province, commune, street):
        cart = _cart(info, token)
        return cls(
            cart=checkout_address_set(
                cart=cart,
                recipient_name=recipient_name,
                province=Province.objects.filter(code=province.strip()).first(),
                commune=commune,
                street=street,
            )
        )


class CheckoutDeliverySet(CartMutation):
    class Arguments:
        token = graphene.UUID(required=True)
        seller = graphene.ID(required=True)
        method = DeliveryMethodEnum(required=True)
        pickup_location = graphene.ID()

    @classmethod
    def perform_mutation(cls, root, info, token, seller, method, pickup_location=None):
        cart = _cart(info, token)
        business = Business.objects.filter(pk=from_global_id_or_error(seller, BusinessType)).first()
        location = None
        if pickup_location:
            location = StockLocation.objects.filter(
                pk=from_global_id_or_error(pickup_location, StockLocationType)
            ).first()
        if business is None:
            raise CheckoutError(
                _("Your cart has nothing from this seller."), code="not_found", field="seller"
            )
        checkout_delivery_set(
            cart=cart, seller=business, method=_value(method), pickup_location=location
        )
        return cls(cart=cart)


class CheckoutNoteSet(CartMutation):
    class Arguments:
        token = graphene.UUID(required=True)
        note = graphene.String(required=True)

    @classmethod
    def perform_mutation(cls, root, info, token, note):
        return cls(cart=checkout_note_set(cart=_cart(info, token), note=note))


class CheckoutPaymentStart(BaseMutation):
    """Reserve the stock and start paying. Cash on delivery and VietQR place the orders at once
    (VietQR returns the payload to show); card returns Stripe's client secret, then call
    ``checkoutComplete`` after the Payment Element confirms."""

    class Arguments:
        token = graphene.UUID(required=True)
        method = PaymentMethodEnum(required=True)

    payment = graphene.Field(PaymentType)

    @classmethod
    def check_permissions(cls, info, **data) -> bool:
        return True

    @classmethod
    def mutate(cls, root, info, **data):
        # Not in the base class's transaction: the provider must be called with no transaction
        # open; the services make their own (reserve, then place).
        try:
            cart = _cart(info, data["token"])
            user = info.context.user
            payment = checkout_payment_start(
                cart=cart,
                method=_value(data["method"]),
                actor=user if user.is_authenticated else None,
            )
        except CheckoutError as exc:
            return cls(errors=errors_from_exception(exc))
        return cls(payment=_payment(payment), errors=[])


class CheckoutComplete(BaseMutation):
    """After the card form: place the orders (confirmed when Stripe already took the money)."""

    class Arguments:
        token = graphene.UUID(required=True)

    payment = graphene.Field(PaymentType)

    @classmethod
    def check_permissions(cls, info, **data) -> bool:
        return True

    @classmethod
    def mutate(cls, root, info, **data):
        try:
            cart = _cart(info, data["token"])
            payment = Payment.objects.filter(cart=cart).first()
            if payment is None:
                raise CheckoutError(_("Start the payment first."), code="invalid", field="token")
            checkout_complete(cart=cart)
        except CheckoutError as exc:
            return cls(errors=errors_from_exception(exc))
        payment.refresh_from_db()
        return cls(payment=_payment(payment), errors=[])


# --- seller fulfilment ----------------------------------------------------------------------------


def _own_order(info, global_id) -> Order:
    return own_object(
        info, Order.objects.all(), global_id, OrderType, through="seller", field="order"
    )


class OrderMutation(SellerMutation):
    class Meta:
        abstract = True

    order = graphene.Field(OrderType)


class OrderProcess(OrderMutation):
    class Arguments:
        order = graphene.ID(required=True)

    @classmethod
    def perform_mutation(cls, root, info, order):
        return cls(order=order_process(order=_own_order(info, order), actor=info.context.user))


class OrderShip(OrderMutation):
    class Arguments:
        order = graphene.ID(required=True)
        carrier = graphene.String(required=True)
        tracking_number = graphene.String(required=True)

    @classmethod
    def perform_mutation(cls, root, info, order, carrier, tracking_number):
        found = _own_order(info, order)
        return cls(
            order=order_ship(
                order=found,
                actor=info.context.user,
                carrier=carrier,
                tracking_number=tracking_number,
            )
        )


class OrderDeliver(OrderMutation):
    class Arguments:
        order = graphene.ID(required=True)
        cod_collected = graphene.Boolean(default_value=False)

    @classmethod
    def perform_mutation(cls, root, info, order, cod_collected=False):
        found = _own_order(info, order)
        return cls(
            order=order_deliver(order=found, actor=info.context.user, cod_collected=cod_collected)
        )


class OrderComplete(OrderMutation):
    class Arguments:
        order = graphene.ID(required=True)

    @classmethod
    def perform_mutation(cls, root, info, order):
        return cls(order=order_complete(order=_own_order(info, order), actor=info.context.user))


class OrderCancel(OrderMutation):
    class Arguments:
        order = graphene.ID(required=True)
        reason = graphene.String(required=True)

    @classmethod
    def perform_mutation(cls, root, info, order, reason):
        found = _own_order(info, order)
        return cls(order=order_cancel(order=found, actor=info.context.user, reason=reason))


class Mutation(graphene.ObjectType):
    cart_create = CartCreate.Field()
    cart_line_add = CartLineAdd.Field()
    cart_line_update = CartLineUpdate.Field()
    cart_line_remove = CartLineRemove.Field()
    checkout_contact_set = CheckoutContactSet.Field()
    checkout_address_set = CheckoutAddressSet.Field()
    checkout_delivery_set = CheckoutDeliverySet.Field()
    checkout_note_set = CheckoutNoteSet.Field()
    checkout_payment_start = CheckoutPaymentStart.Field()
    checkout_complete = CheckoutComplete.Field()
    order_process = OrderProcess.Field()
    order_ship = OrderShip.Field()
    order_deliver = OrderDeliver.Field()
    order_complete = OrderComplete.Field()
    order_cancel = OrderCancel.Field()

"""Buying mutations: the cart and its checkout details (anyone holding the cart's token), and
the seller's fulfilment (through memberships). Each calls one orders service."""

from __future__ import annotations

import graphene
from django.utils.translation import gettext as _

from core.graphql.mutations import BaseMutation
from core.graphql.relay import from_global_id_or_error
from core.graphql.types import enum_value
from core.models import Province
from marketplace.offers.graphql.types import OfferType, StockLocationType
from marketplace.offers.models import Offer, StockLocation
from marketplace.orders.errors import CheckoutError
from marketplace.orders.graphql.queries import cart_for_token
from marketplace.orders.graphql.types import CartType, DeliveryMethodEnum, OrderType
from marketplace.orders.models import CartLine, Order
from marketplace.orders.services import (
    cart_create,
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
from marketplace.places.graphql.types import PointOfSaleType
from marketplace.places.models import PointOfSale
from sellers.graphql.acting import own_object
from sellers.graphql.mutations import SellerMutation
from sellers.graphql.types import BusinessType
from sellers.models import Business


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
        return cls(cart=cart_create(user=info.context.user))


class CartLineAdd(CartMutation):
    class Arguments:
        token = graphene.UUID(required=True)
        offer = graphene.ID(required=True)
        quantity = graphene.Int(default_value=1)

    @classmethod
    def perform_mutation(cls, root, info, token, offer, quantity=1):
        cart = cart_for_token(info, token)
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
        cart = cart_for_token(info, token)
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
        cart = cart_for_token(info, token)
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
        cart = cart_for_token(info, token)
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
        cart = cart_for_token(info, token)
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
        pickup_location = graphene.ID(description="Pickup at this stock location (Relay ID).")
        pickup_point = graphene.ID(
            description="Pickup at this point of sale of the seller (Relay ID of a PointOfSale)."
        )

    @classmethod
    def perform_mutation(
        cls, root, info, token, seller, method, pickup_location=None, pickup_point=None
    ):
        cart = cart_for_token(info, token)
        business = Business.objects.filter(pk=from_global_id_or_error(seller, BusinessType)).first()
        location = None
        if pickup_point:
            point = (
                PointOfSale.objects.select_related("location")
                .filter(pk=from_global_id_or_error(pickup_point, PointOfSaleType))
                .first()
            )
            location = point.location if point else None
        elif pickup_location:
            location = StockLocation.objects.filter(
                pk=from_global_id_or_error(pickup_location, StockLocationType)
            ).first()
        if business is None:
            raise CheckoutError(
                _("Your cart has nothing from this seller."), code="not_found", field="seller"
            )
        try:
            checkout_delivery_set(
                cart=cart, seller=business, method=enum_value(method), pickup_location=location
            )
        except CheckoutError as exc:
            if pickup_point and exc.field == "pickup_location":
                raise CheckoutError(exc.message, code=exc.code, field="pickup_point") from None
            raise
        return cls(cart=cart)


class CheckoutNoteSet(CartMutation):
    class Arguments:
        token = graphene.UUID(required=True)
        note = graphene.String(required=True)

    @classmethod
    def perform_mutation(cls, root, info, token, note):
        return cls(cart=checkout_note_set(cart=cart_for_token(info, token), note=note))


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


class CheckoutMutation(graphene.ObjectType):
    """The buyer's side: the cart and its checkout details (paying is payments')."""

    cart_create = CartCreate.Field()
    cart_line_add = CartLineAdd.Field()
    cart_line_update = CartLineUpdate.Field()
    cart_line_remove = CartLineRemove.Field()
    checkout_contact_set = CheckoutContactSet.Field()
    checkout_address_set = CheckoutAddressSet.Field()
    checkout_delivery_set = CheckoutDeliverySet.Field()
    checkout_note_set = CheckoutNoteSet.Field()


class FulfilmentMutation(graphene.ObjectType):
    """The seller's side: moving an order along."""

    order_process = OrderProcess.Field()
    order_ship = OrderShip.Field()
    order_deliver = OrderDeliver.Field()
    order_complete = OrderComplete.Field()
    order_cancel = OrderCancel.Field()

"""Root query fields of buying: ``cart``, ``order``, ``myOrders``, ``sellerOrders``."""

from __future__ import annotations

import graphene
from django.utils.translation import gettext as _

from core.graphql.connections import ConnectionField
from core.graphql.types import enum_value
from marketplace.orders.errors import CheckoutError
from marketplace.orders.graphql.shaping import order_queryset
from marketplace.orders.graphql.types import CartType, OrderStatusEnum, OrderType
from marketplace.orders.models import Cart, CartStatus, Order
from sellers.graphql.acting import business_acted_for


def cart_for_token(info, token) -> Cart:
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
            return cart_for_token(info, token)
        except CheckoutError:
            return None

    @staticmethod
    def resolve_order(root, info, number):
        user = info.context.user
        if not user.is_authenticated:
            return None
        return order_queryset(Order.objects.filter(buyer=user, number=number)).first()

    @staticmethod
    def resolve_my_orders(root, info, status=None, **_pagination):
        user = info.context.user
        if not user.is_authenticated:
            return Order.objects.none()
        orders = Order.objects.filter(buyer=user)
        if status is not None:
            orders = orders.filter(status=enum_value(status))
        return order_queryset(orders).order_by("-placed_at", "-id")

    @staticmethod
    def resolve_seller_orders(root, info, business, status=None, **_pagination):
        found = business_acted_for(info, business)
        orders = Order.objects.filter(seller=found)
        if status is not None:
            orders = orders.filter(status=enum_value(status))
        return order_queryset(orders).order_by("-placed_at", "-id")

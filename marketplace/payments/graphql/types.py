"""GraphQL types of payments."""

from __future__ import annotations

import graphene

from core.graphql.types import enum_value
from marketplace.orders.graphql.shaping import order_queryset
from marketplace.orders.graphql.types import OrderType, PaymentMethodEnum
from marketplace.orders.models import Order, PaymentMethod
from marketplace.payments.models import Payment
from marketplace.payments.providers import vietqr_for


class PaymentType(graphene.ObjectType):
    method = graphene.Field(PaymentMethodEnum, required=True)
    status = graphene.String(required=True)
    amount = graphene.Int(required=True)
    reference = graphene.String(required=True)
    client_secret = graphene.String(description="For Stripe's Payment Element (card only).")
    vietqr_payload = graphene.String(description="The VietQR payload to draw (bank transfer).")
    orders = graphene.List(graphene.NonNull(OrderType), required=True)


def payment_view(payment: Payment) -> PaymentType:
    return PaymentType(
        method=enum_value(payment.method),
        status=enum_value(payment.status),
        amount=payment.amount,
        reference=payment.reference,
        client_secret=payment.client_secret or None,
        vietqr_payload=vietqr_for(amount=payment.amount, reference=payment.reference)
        if payment.method == PaymentMethod.VIETQR
        else None,
        orders=list(order_queryset(Order.objects.filter(cart_id=payment.cart_id)).order_by("id")),
    )

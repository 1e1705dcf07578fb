"""Offer, stock and resale mutations: thin, each looks its objects up through memberships and
calls one service."""

from __future__ import annotations

import graphene
from django.db.models import Q
from django.utils.translation import gettext as _

from catalog.graphql.types import ProductType, ProductVariantType
from catalog.models import Product, ProductVariant
from core.models import Province
from marketplace.offers.graphql.types import (
    OfferType,
    ResaleAuthorizationType,
    StockLocationType,
    StockType,
)
from marketplace.offers.models import Offer, ResaleAuthorization, StockLocation
from marketplace.offers.services import (
    offer_create,
    offer_delete,
    offer_pause,
    offer_publish,
    offer_update,
    resale_grant,
    resale_revoke,
    stock_location_create,
    stock_set,
)
from sellers.errors import SellerError
from sellers.graphql.acting import own_object, public_object
from sellers.graphql.mutations import SellerMutation
from sellers.graphql.types import BusinessType
from sellers.models import Business


def _own_offer(info, global_id) -> Offer:
    return own_object(
        info, Offer.objects.all(), global_id, OfferType, through="seller", field="offer"
    )


def _own_business(info, global_id) -> Business:
    return own_object(
        info, Business.objects.all(), global_id, BusinessType, through="pk", field="business"
    )


class OfferCreate(SellerMutation):
    """A draft offer of one pack (the holder's, or a reseller's with the holder's grant)."""

    class Arguments:
        business = graphene.ID(required=True, description="The selling business.")
        variant = graphene.ID(required=True, description="The ProductVariant (pack) to sell.")
        price = graphene.Int(required=True, description="Whole đồng, 1.000 – 1.000.000.000.")
        compare_at_price = graphene.Int(description="Crossed-out price, above `price`.")

    offer = graphene.Field(OfferType)

    @classmethod
    def perform_mutation(cls, root, info, business, variant, price, compare_at_price=None):
        seller = _own_business(info, business)
        variant = public_object(
            ProductVariant.objects.select_related("product"),
            variant,
            ProductVariantType,
            field="variant",
        )
        offer = offer_create(
            actor=info.context.user,
            seller=seller,
            variant=variant,
            price=price,
            compare_at_price=compare_at_price,
        )
        return cls(offer=offer)


class OfferUpdate(SellerMutation):
    class Arguments:
        offer = graphene.ID(required=True)
        price = graphene.Int(description="Whole đồng; left out: unchanged.")
        compare_at_price = graphene.Int(description="Left out: unchanged.")
        clear_compare_at_price = graphene.Boolean(description="true: no crossed-out price.")

    offer = graphene.Field(OfferType)

    @classmethod
    def perform_mutation(
        cls, root, info, offer, price=None, compare_at_price=None, clear_compare_at_price=False
    ):
        offer = offer_update(
            actor=info.context.user,
            offer=_own_offer(info, offer),
            price=price,
            compare_at_price=compare_at_price,
            clear_compare_at=bool(clear_compare_at_price),
        )
        return cls(offer=offer)


class OfferPublish(SellerMutation):
    """Buyers see the offer while the seller is active and the certificate is in force."""

    class Arguments:
        offer = graphene.ID(required=True)

    offer = graphene.Field(OfferType)

    @classmethod
    def perform_mutation(cls, root, info, offer):
        return cls(offer=offer_publish(actor=info.context.user, offer=_own_offer(info, offer)))


class OfferPause(SellerMutation):
    class Arguments:
        offer = graphene.ID(required=True)

    offer = graphene.Field(OfferType)

    @classmethod
    def perform_mutation(cls, root, info, offer):
        return cls(offer=offer_pause(actor=info.context.user, offer=_own_offer(info, offer)))


class OfferDelete(SellerMutation):
    """Delete a draft or paused offer (pause a published one first)."""

    class Arguments:
        offer = graphene.ID(required=True)

    deleted_id = graphene.ID()

    @classmethod
    def perform_mutation(cls, root, info, offer):
        global_id = offer
        offer_delete(actor=info.context.user, offer=_own_offer(info, offer))
        return cls(deleted_id=global_id)


class StockUpdate(SellerMutation):
    """Set the units on hand of an offer at one of the seller's locations (staff may)."""

    class Arguments:
        offer = graphene.ID(required=True)
        location = graphene.ID(required=True, description="A StockLocation of the same seller.")
        quantity = graphene.Int(required=True, description="0 – 1.000.000.")

    stock = graphene.Field(StockType)
    offer = graphene.Field(OfferType)

    @classmethod
    def perform_mutation(cls, root, info, offer, location, quantity):
        offer = _own_offer(info, offer)
        location = own_object(
            info,
            StockLocation.objects.all(),
            location,
            StockLocationType,
            through="business",
            field="location",
        )
        stock = stock_set(
            actor=info.context.user, offer=offer, location=location, quantity=quantity
        )
        return cls(stock=stock, offer=offer)


class StockLocationCreate(SellerMutation):
    class Arguments:
        business = graphene.ID(required=True)
        name = graphene.String(required=True)
        province = graphene.String(
            required=True, description="The current province, by slug or code."
        )
        commune = graphene.String()
        street = graphene.String()

    location = graphene.Field(StockLocationType)

    @classmethod
    def perform_mutation(cls, root, info, business, name, province, commune="", street=""):
        business = _own_business(info, business)
        found = Province.objects.filter(Q(slug=province.strip()) | Q(code=province.strip()))
        province_row = found.first()
        if province_row is None:
            raise SellerError(
                _("There is no province “%(province)s”.") % {"province": province},
                code="not_found",
                field="province",
            )
        location = stock_location_create(
            actor=info.context.user,
            business=business,
            name=name,
            province=province_row,
            commune=commune or "",
            street=street or "",
        )
        return cls(location=location)


class ResaleGrant(SellerMutation):
    """The holder lets another business (an OCOP centre, a distributor) sell its product."""

    class Arguments:
        product = graphene.ID(required=True, description="A product your business holds.")
        reseller = graphene.ID(required=True, description="The Business allowed to resell.")

    authorization = graphene.Field(ResaleAuthorizationType)

    @classmethod
    def perform_mutation(cls, root, info, product, reseller):
        product = own_object(
            info,
            Product.objects.select_related("holder"),
            product,
            ProductType,
            through="holder",
            field="product",
        )
        reseller = public_object(Business.objects.all(), reseller, BusinessType, field="reseller")
        authorization = resale_grant(actor=info.context.user, product=product, reseller=reseller)
        return cls(authorization=authorization)


class ResaleRevoke(SellerMutation):
    """Withdraw a resale authorisation: the reseller's offers disappear at once."""

    class Arguments:
        authorization = graphene.ID(required=True)

    authorization = graphene.Field(ResaleAuthorizationType)

    @classmethod
    def perform_mutation(cls, root, info, authorization):
        authorization = own_object(
            info,
            ResaleAuthorization.objects.all(),
            authorization,
            ResaleAuthorizationType,
            through="product__holder",
            field="authorization",
        )
        authorization = resale_revoke(actor=info.context.user, authorization=authorization)
        return cls(authorization=authorization)


class Mutation(graphene.ObjectType):
    offer_create = OfferCreate.Field()
    offer_update = OfferUpdate.Field()
    offer_publish = OfferPublish.Field()
    offer_pause = OfferPause.Field()
    offer_delete = OfferDelete.Field()
    stock_update = StockUpdate.Field()
    stock_location_create = StockLocationCreate.Field()
    resale_grant = ResaleGrant.Field()
    resale_revoke = ResaleRevoke.Field()

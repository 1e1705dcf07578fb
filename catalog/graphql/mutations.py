"""Product content mutations, for the holder's owners and managers (see ``catalog.content``)."""

from __future__ import annotations

import graphene
from django.utils.translation import gettext as _

from catalog.content import (
    product_content_update,
    product_photo_add,
    product_photo_remove,
    product_photo_reorder,
    product_variant_add,
    product_variant_remove,
    product_variant_update,
)
from catalog.graphql.enums import VolumeUnitEnum
from catalog.graphql.types import ProductPhotoType, ProductType, ProductVariantType
from catalog.models import Product, ProductPhoto, ProductVariant
from core.graphql.types import Upload, enum_value, lazy_model_type
from sellers.errors import SellerError
from sellers.graphql.acting import id_or_error, own_object
from sellers.graphql.mutations import SellerMutation


def _holder_product(info, product_id) -> Product:
    return own_object(
        info, Product.objects.all(), product_id, ProductType, through="holder", field="product"
    )


def _holder_variant(info, variant_id) -> ProductVariant:
    return own_object(
        info,
        ProductVariant.objects.all(),
        variant_id,
        ProductVariantType,
        through="product__holder",
        field="variant",
    )


class VariantFields:
    name = graphene.String(required=True, description='The pack, e.g. "Hũ 500 g".')
    net_quantity = graphene.Decimal(description="Net weight or volume, in ``unit``.")
    unit = VolumeUnitEnum()
    gtin = graphene.String(description="GTIN-8/12/13/14 from the label, if any.")
    sku = graphene.String()


def _variant_values(data: dict) -> dict:
    return {
        "name": data["name"],
        "net_quantity": data.get("net_quantity"),
        "unit": enum_value(data.get("unit")) or "",
        "gtin": data.get("gtin") or "",
        "sku": data.get("sku") or "",
    }


class ProductContentUpdate(SellerMutation):
    """Replace the description and/or story (sanitised HTML; plain text becomes paragraphs)."""

    class Arguments:
        product = graphene.ID(required=True)
        description = graphene.String(description="Left out: unchanged.")
        story = graphene.String(description="Left out: unchanged.")

    product = graphene.Field(lazy_model_type(Product))

    @classmethod
    def perform_mutation(cls, root, info, product, description=None, story=None):
        product = product_content_update(
            actor=info.context.user,
            product=_holder_product(info, product),
            description=description,
            story=story,
        )
        return cls(product=product)


class ProductVariantAdd(SellerMutation):
    class Arguments(VariantFields):
        product = graphene.ID(required=True)

    variant = graphene.Field(ProductVariantType)

    @classmethod
    def perform_mutation(cls, root, info, product, **data):
        variant = product_variant_add(
            actor=info.context.user,
            product=_holder_product(info, product),
            **_variant_values(data),
        )
        return cls(variant=variant)


class ProductVariantUpdate(SellerMutation):
    """Replace a pack's details (every field is sent; a left-out one is cleared)."""

    class Arguments(VariantFields):
        variant = graphene.ID(required=True)

    variant = graphene.Field(ProductVariantType)

    @classmethod
    def perform_mutation(cls, root, info, variant, **data):
        variant = product_variant_update(
            actor=info.context.user,
            variant=_holder_variant(info, variant),
            **_variant_values(data),
        )
        return cls(variant=variant)


class ProductVariantRemove(SellerMutation):
    class Arguments:
        variant = graphene.ID(required=True)

    removed_id = graphene.ID()

    @classmethod
    def perform_mutation(cls, root, info, variant):
        global_id = variant
        product_variant_remove(actor=info.context.user, variant=_holder_variant(info, variant))
        return cls(removed_id=global_id)


class ProductPhotoUpload(SellerMutation):
    """Add a photo (JPEG, PNG or WebP) as the product's last one. Send it as a multipart
    request: ``operations`` with ``"image": null``, ``map`` ``{"0": ["variables.image"]}``."""

    class Arguments:
        product = graphene.ID(required=True)
        image = Upload(required=True)
        alt_text = graphene.String(description="What the photo shows, for screen readers.")

    photo = graphene.Field(ProductPhotoType)

    @classmethod
    def perform_mutation(cls, root, info, product, image, alt_text=""):
        product = _holder_product(info, product)
        if image is None or not hasattr(image, "read"):
            raise SellerError(
                _("Attach the photo as a file part of a multipart request."),
                code="required",
                field="image",
            )
        photo = product_photo_add(
            actor=info.context.user, product=product, upload=image, alt_text=alt_text or ""
        )
        return cls(photo=photo)


class ProductPhotoRemove(SellerMutation):
    class Arguments:
        photo = graphene.ID(required=True)

    removed_id = graphene.ID()

    @classmethod
    def perform_mutation(cls, root, info, photo):
        global_id = photo
        photo = own_object(
            info,
            ProductPhoto.objects.all(),
            photo,
            ProductPhotoType,
            through="product__holder",
            field="photo",
        )
        product_photo_remove(actor=info.context.user, photo=photo)
        return cls(removed_id=global_id)


class ProductPhotoReorder(SellerMutation):
    """Put every photo of the product in this order; the first becomes the main photo."""

    class Arguments:
        product = graphene.ID(required=True)
        photos = graphene.List(graphene.NonNull(graphene.ID), required=True)

    photos = graphene.List(graphene.NonNull(ProductPhotoType))

    @classmethod
    def perform_mutation(cls, root, info, product, photos):
        product = _holder_product(info, product)
        photo_ids = [id_or_error(photo, ProductPhotoType, field="photos") for photo in photos]
        ordered = product_photo_reorder(
            actor=info.context.user, product=product, photo_ids=photo_ids
        )
        return cls(photos=ordered)


class Mutation(graphene.ObjectType):
    product_content_update = ProductContentUpdate.Field()
    product_variant_add = ProductVariantAdd.Field()
    product_variant_update = ProductVariantUpdate.Field()
    product_variant_remove = ProductVariantRemove.Field()
    product_photo_upload = ProductPhotoUpload.Field()
    product_photo_remove = ProductPhotoRemove.Field()
    product_photo_reorder = ProductPhotoReorder.Field()

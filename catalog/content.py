"""Product content the holder edits: description and story, variants (packs), photos.

Only the holder's owners and managers edit content (``ROLES_MANAGE`` on ``product.holder``):
resellers sell a product but never change what it says, and staff members handle stock, not
the catalogue. Every function checks that membership itself so no caller can skip it.

Description and story are stored as sanitised HTML: a small set of tags survives (paragraphs,
line breaks, bold, italics, lists, links that get rel="nofollow noopener"); scripts, styles,
event handlers and every other attribute are dropped. Plain text (what most sellers type) is
turned into paragraphs first, so line breaks survive too.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

import nh3
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, ProtectedError
from django.utils.translation import gettext as _

from catalog.models import Product, ProductPhoto, ProductVariant, VolumeUnit
from catalog.photos import photo_delete_files, photo_process, photo_store
from catalog.validators import validate_gtin
from core.search import search_rows_changed
from core.text import nfc
from sellers.errors import SellerError
from sellers.selectors import ROLES_MANAGE
from sellers.services import membership_require

ALLOWED_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "a"}
ALLOWED_ATTRIBUTES = {"a": {"href"}}
# Dropped with everything inside them (other disallowed tags keep their text).
DROPPED_WITH_CONTENT = {"script", "style", "iframe", "noscript", "template", "object", "svg"}
URL_SCHEMES = {"http", "https", "mailto", "tel"}
LINK_REL = "nofollow noopener"
TEXT_MAX = 20_000  # characters of stored HTML per field
MAX_PHOTOS = 12
NAME_MAX = 120  # ProductVariant.name
SKU_MAX = 64  # ProductVariant.sku
ALT_MAX = 255  # ProductPhoto.alt_text
QUANTITY_MAX = Decimal("9999999.999")  # ProductVariant.net_quantity: 10 digits, 3 decimals

_HTML_TAG = re.compile(r"<\s*/?\s*[a-zA-Z!]")
_BLANK_LINES = re.compile(r"\n\s*\n")


def _plain_to_html(text: str) -> str:
    paragraphs = [p.strip() for p in _BLANK_LINES.split(text) if p.strip()]
    return "".join(
        "<p>" + "<br>".join(html.escape(line.strip()) for line in p.split("\n")) + "</p>"
        for p in paragraphs
    )


def html_sanitise(value: str | None) -> str:
    """Safe, NFC-normalised HTML for a description or story ("" when there is nothing)."""
    text = unicodedata.normalize("NFC", value or "").replace("\r\n", "\n").replace("\r", "\n")
    text = text.strip()
    if not text:
        return ""
    if not _HTML_TAG.search(text):
        text = _plain_to_html(text)
    cleaned = nh3.clean(
        text,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        clean_content_tags=DROPPED_WITH_CONTENT,
        url_schemes=URL_SCHEMES,
        link_rel=LINK_REL,
        strip_comments=True,
    )
    # Sanitising can leave decomposed sequences split by removed tags; normalise once more.
    return unicodedata.normalize("NFC", cleaned).strip()


def _require_holder(*, actor, product: Product) -> None:
    membership_require(user=actor, business=product.holder, roles=ROLES_MANAGE)


def _rich_text(value: str | None, *, field: str) -> str:
    cleaned = html_sanitise(value)
    if len(cleaned) > TEXT_MAX:
        raise SellerError(
            _("This text is too long: at most %(max)s characters.") % {"max": f"{TEXT_MAX:,}"},
            code="too_long",
            field=field,
        )
    return cleaned


@transaction.atomic
def product_content_update(
    *, actor, product: Product, description: str | None = None, story: str | None = None
) -> Product:
    """Replace the description and/or the story (``None`` leaves a field as it is)."""
    product = Product.objects.select_for_update().select_related("holder").get(pk=product.pk)
    _require_holder(actor=actor, product=product)
    fields = []
    if description is not None:
        product.description = _rich_text(description, field="description")
        fields.append("description")
    if story is not None:
        product.story = _rich_text(story, field="story")
        fields.append("story")
    if fields:
        product.save(update_fields=[*fields, "updated_at"])
        search_rows_changed(Product, [product.pk])
    return product


def _quantity(value) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, float | bool):
        raise SellerError(
            _("Enter the net quantity as a number, e.g. 500 or 0,75."),
            code="invalid",
            field="net_quantity",
        )
    try:
        quantity = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        raise SellerError(
            _("Enter the net quantity as a number, e.g. 500 or 0,75."),
            code="invalid",
            field="net_quantity",
        ) from None
    if not quantity.is_finite() or quantity <= 0 or quantity > QUANTITY_MAX:
        raise SellerError(
            _("The net quantity must be more than 0 and less than 10.000.000."),
            code="out_of_range",
            field="net_quantity",
        )
    if quantity != quantity.quantize(Decimal("0.001")):
        raise SellerError(
            _("The net quantity can have at most 3 decimals."), code="invalid", field="net_quantity"
        )
    return quantity.quantize(Decimal("0.001"))


def _variant_fields(*, name, net_quantity, unit, gtin, sku) -> dict:
    name = nfc(name)
    if not name:
        raise SellerError(_("Name the pack, e.g. “Hũ 500 g”."), code="required", field="name")
    if len(name) > NAME_MAX:
        raise SellerError(
            _("The pack name can have at most %(max)s characters.") % {"max": NAME_MAX},
            code="too_long",
            field="name",
        )
    quantity = _quantity(net_quantity)
    unit = nfc(unit)
    if unit and unit not in VolumeUnit.values:
        raise SellerError(_("Choose a unit from the list."), code="invalid", field="unit")
    if quantity is not None and not unit:
        raise SellerError(_("Choose the unit of the net quantity."), code="required", field="unit")
    # People copy GTINs from labels with spaces ("893 6012 34567 8"): keep the digits.
    gtin = re.sub(r"[\s-]", "", nfc(gtin))
    try:
        validate_gtin(gtin)
    except ValidationError as error:
        raise SellerError(error.messages[0], code=error.code or "invalid", field="gtin") from None
    sku = nfc(sku)
    if len(sku) > SKU_MAX:
        raise SellerError(
            _("The SKU can have at most %(max)s characters.") % {"max": SKU_MAX},
            code="too_long",
            field="sku",
        )
    return {"name": name, "net_quantity": quantity, "unit": unit, "gtin": gtin, "sku": sku}


def _variant_unique(*, product: Product, fields: dict, exclude_pk: int | None = None) -> None:
    siblings = ProductVariant.objects.filter(product=product, name=fields["name"])
    gtin_users = ProductVariant.objects.filter(gtin=fields["gtin"]) if fields["gtin"] else None
    if exclude_pk is not None:
        siblings = siblings.exclude(pk=exclude_pk)
        gtin_users = gtin_users.exclude(pk=exclude_pk) if gtin_users is not None else None
    if siblings.exists():
        raise SellerError(
            _("This product already has a pack with this name."), code="duplicate", field="name"
        )
    if gtin_users is not None and gtin_users.exists():
        raise SellerError(
            _("GTIN %(gtin)s is already used by another pack.") % {"gtin": fields["gtin"]},
            code="duplicate",
            field="gtin",
        )


def _save_variant(variant: ProductVariant, *, update_fields=None) -> None:
    try:
        # A savepoint: a concurrent duplicate loses the race cleanly instead of breaking the
        # surrounding transaction.
        with transaction.atomic():
            variant.save(update_fields=update_fields)
    except IntegrityError:
        raise SellerError(
            _("Another pack with this name or GTIN was just saved; check and try again."),
            code="duplicate",
            field="name",
        ) from None


@transaction.atomic
def product_variant_add(
    *,
    actor,
    product: Product,
    name: str,
    net_quantity: Decimal | str | None = None,
    unit: str = "",
    gtin: str = "",
    sku: str = "",
) -> ProductVariant:
    product = Product.objects.select_for_update().select_related("holder").get(pk=product.pk)
    _require_holder(actor=actor, product=product)
    fields = _variant_fields(name=name, net_quantity=net_quantity, unit=unit, gtin=gtin, sku=sku)
    _variant_unique(product=product, fields=fields)
    last = product.variants.aggregate(last=Max("position"))["last"]
    variant = ProductVariant(product=product, position=0 if last is None else last + 1, **fields)
    _save_variant(variant)
    return variant


@transaction.atomic
def product_variant_update(
    *,
    actor,
    variant: ProductVariant,
    name: str,
    net_quantity: Decimal | str | None = None,
    unit: str = "",
    gtin: str = "",
    sku: str = "",
) -> ProductVariant:
    variant = (
        ProductVariant.objects.select_for_update()
        .select_related("product__holder")
        .get(pk=variant.pk)
    )
    _require_holder(actor=actor, product=variant.product)
    fields = _variant_fields(name=name, net_quantity=net_quantity, unit=unit, gtin=gtin, sku=sku)
    _variant_unique(product=variant.product, fields=fields, exclude_pk=variant.pk)
    for key, value in fields.items():
        setattr(variant, key, value)
    _save_variant(variant, update_fields=list(fields))
    return variant


@transaction.atomic
def product_variant_remove(*, actor, variant: ProductVariant) -> None:
    """A pack someone sells (an offer, the holder's or a reseller's) stays: remove the offers
    first. Later references (batches, stamps) are protected by their foreign keys."""
    variant = (
        ProductVariant.objects.select_for_update()
        .select_related("product__holder")
        .get(pk=variant.pk)
    )
    _require_holder(actor=actor, product=variant.product)
    # ``offers`` is the reverse name of marketplace's Offer.variant: read through the relation
    # so catalog does not import marketplace (the dependency points the other way).
    if variant.offers.exists():
        raise SellerError(
            _("“%(name)s” is on sale in at least one offer; delete those offers first.")
            % {"name": variant.name},
            code="in_use",
            field="variant",
        )
    try:
        with transaction.atomic():
            variant.delete()
    except ProtectedError:
        raise SellerError(
            _("“%(name)s” is still referenced (batches or stamps) and cannot be removed.")
            % {"name": variant.name},
            code="in_use",
            field="variant",
        ) from None


def product_photo_add(*, actor, product: Product, upload, alt_text: str = "") -> ProductPhoto:
    """Check, re-encode and store an uploaded photo as the product's last one."""
    # Permission first: nobody else gets to make the server decode images.
    _require_holder(actor=actor, product=product)
    alt_text = nfc(alt_text)
    if len(alt_text) > ALT_MAX:
        raise SellerError(
            _("The description of the photo can have at most %(max)s characters.")
            % {"max": ALT_MAX},
            code="too_long",
            field="alt_text",
        )
    if ProductPhoto.objects.filter(product=product).count() >= MAX_PHOTOS:
        raise SellerError(
            _("A product can have at most %(max)s photos; remove one first.") % {"max": MAX_PHOTOS},
            code="too_many",
            field="image",
        )
    processed = photo_process(upload)
    # Files are written outside the transaction (decoding and encoding take a while and must
    # not hold the product lock); if the row cannot be written they are removed again.
    name, renditions = photo_store(processed, folder=f"products/{product.pk}")
    try:
        with transaction.atomic():
            product = Product.objects.select_for_update().get(pk=product.pk)
            last = ProductPhoto.objects.filter(product=product).aggregate(last=Max("position"))
            photo = ProductPhoto.objects.create(
                product=product,
                image=name,
                width=processed.width,
                height=processed.height,
                renditions=renditions,
                alt_text=alt_text,
                original_name=_upload_name(upload),
                position=0 if last["last"] is None else last["last"] + 1,
            )
            search_rows_changed(Product, [product.pk])
            return photo
    except BaseException:
        photo_delete_files([name, *(r["name"] for r in renditions)])
        raise


def _upload_name(upload) -> str:
    name = (getattr(upload, "name", "") or "").replace("\\", "/").rsplit("/", 1)[-1]
    return nfc(name)[:255]


@transaction.atomic
def product_photo_remove(*, actor, photo: ProductPhoto) -> None:
    photo = (
        ProductPhoto.objects.select_for_update().select_related("product__holder").get(pk=photo.pk)
    )
    _require_holder(actor=actor, product=photo.product)
    names = [photo.image.name, *(r.get("name", "") for r in photo.renditions)]
    photo.delete()
    search_rows_changed(Product, [photo.product_id])
    # Files go only once the row is gone for good: a rolled-back removal keeps its image.
    transaction.on_commit(lambda: photo_delete_files(names))


@transaction.atomic
def product_photo_reorder(
    *, actor, product: Product, photo_ids: Sequence[int]
) -> list[ProductPhoto]:
    """Put the product's photos in the order of ``photo_ids`` (the first is the main photo).
    The ids must be exactly the product's photos: a foreign id is refused, not ignored."""
    product = Product.objects.select_for_update().select_related("holder").get(pk=product.pk)
    _require_holder(actor=actor, product=product)
    photos = {p.pk: p for p in ProductPhoto.objects.filter(product=product)}
    try:
        ordered_ids = [int(pk) for pk in photo_ids]
    except (TypeError, ValueError):
        ordered_ids = None
    if ordered_ids is None or sorted(ordered_ids) != sorted(photos):
        raise SellerError(
            _("The photo order does not match this product's photos; reload the page."),
            code="invalid",
            field="photos",
        )
    changed = []
    for position, pk in enumerate(ordered_ids):
        photo = photos[pk]
        if photo.position != position:
            photo.position = position
            changed.append(photo)
    ProductPhoto.objects.bulk_update(changed, ["position"])
    search_rows_changed(Product, [product.pk])
    return [photos[pk] for pk in ordered_ids]

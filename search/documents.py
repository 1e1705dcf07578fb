"""Document types: what is searched, how each document is built, and which writes change it.

A document type is registered once (``document_type_register``) with

- ``build(ids)`` → ``{id: fields}`` for the objects that should be in the index (an id left
  out is removed from it), in a fixed number of queries whatever the number of ids;
- ``all_ids()`` → every id of that kind, for a rebuild;
- ``depends_on`` → for each model whose rows it reads, a function from changed row ids to the
  ids of the documents they change.

Products and producers (businesses) are registered below. Points of sale and fairs add their
own type the same way — a build function and its dependencies — and every caller (pages,
GraphQL, the rebuild command, both backends) picks them up without a change: results of other
kinds are shown as cards of ``title``, ``subtitle`` and ``url``.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db.models import Model, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from catalog.models import Certificate, Product, ProductPhoto
from catalog.rules import certificate_last_day
from catalog.selectors import certificates_in_force
from core.money import format_vnd
from core.search import BUSINESS, PRODUCT
from marketplace.offers.models import Offer, ResaleAuthorization, Stock
from marketplace.offers.selectors import offer_stocked, offers_visible
from search.text import address_text, folded_field, plain_text
from sellers.models import Business

# Price bands of the price facet: key -> (lowest, highest) in đồng, either end open.
PRICE_BANDS: dict[str, tuple[int | None, int | None]] = {
    "0-100000": (None, 99_999),
    "100000-200000": (100_000, 199_999),
    "200000-500000": (200_000, 499_999),
    "500000-": (500_000, None),
}
# Long descriptions say the same things many times; the first words carry them.
BODY_MAX_CHARS = 3000


def price_band_label(key: str) -> str:
    low, high = PRICE_BANDS[key]
    if low is None:
        return gettext("under %(price)s") % {"price": format_vnd(high + 1)}
    if high is None:
        return gettext("%(price)s and more") % {"price": format_vnd(low)}
    return gettext("%(low)s – %(high)s") % {"low": format_vnd(low), "high": format_vnd(high + 1)}


def localised_name(obj) -> str:
    """A rulebook row's name in the current language (``name_en`` in English when set)."""
    if (get_language() or "").startswith("en") and getattr(obj, "name_en", ""):
        return obj.name_en
    return obj.name


@dataclass
class DocumentType:
    kind: str
    label: object
    build: Callable[[list[int]], dict[int, dict]]
    all_ids: Callable[[], QuerySet | Iterable[int]]
    depends_on: dict[str, Callable[[list[int]], Iterable[int]]] = field(default_factory=dict)


_types: dict[str, DocumentType] = {}


def document_type_register(document_type: DocumentType) -> None:
    _types[document_type.kind] = document_type


def document_types() -> list[DocumentType]:
    return list(_types.values())


def document_type(kind: str) -> DocumentType:
    return _types[kind]


def model_key(model: type[Model]) -> str:
    return model._meta.label_lower


def _text_fields(*, title, holder="", place="", category="", body="") -> dict:
    fields = {
        "title_text": folded_field(title),
        "holder_text": folded_field(holder),
        "place_text": folded_field(place),
        "category_text": folded_field(category),
        "body_text": folded_field(body[:BODY_MAX_CHARS]),
    }
    fields["text"] = " ".join(value.strip() for value in fields.values() if value.strip())
    return fields


def _places(business: Business) -> list[str]:
    """Where a business is, as buyers may name it: the current province, the province as the
    registry gave it (pre-2025), the commune and the address as given, which often names a 2017
    district ("huyện Tiên Yên")."""
    places = [business.province.name, business.province.short_name, business.commune]
    if business.legacy_province_id:
        places += [business.legacy_province.name, business.legacy_province.short_name]
    places.append(address_text(business.legacy_address))
    return places


def _photo(photo: ProductPhoto | None) -> dict | None:
    if photo is None:
        return None
    return {
        "name": photo.image.name,
        "width": photo.width,
        "height": photo.height,
        "renditions": photo.renditions or [],
        "alt": photo.alt_text,
        "illustration": photo.is_illustration,
    }


# --- products ---------------------------------------------------------------------------------


def product_documents(ids: list[int], *, today: datetime.date | None = None) -> dict[int, dict]:
    """The documents of products ``ids``: five queries whatever their number.

    The certificate in force is the one ``certificates_in_force`` gives today; its last valid
    day is stored, and readers check it against *their* today. Offers are those
    ``offers_visible`` shows, summed up as on a storefront card."""
    today = today or timezone.localdate()
    products = (
        Product.objects.filter(pk__in=ids)
        .select_related("holder__province", "holder__legacy_province", "product_set__category")
        .order_by()
    )
    latest: dict[int, Certificate] = {}
    certificate_ids = []
    for certificate in (
        Certificate.objects.filter(product__in=ids)
        .only("product_id", "status", "valid_from", "valid_until")
        .order_by("product_id", "-valid_from", "-id")
    ):
        latest.setdefault(certificate.product_id, certificate)
        certificate_ids.append(certificate.pk)
    # By the ids just read, not by product: given status and product, SQLite's planner walks
    # the (status, valid_until) index, every active certificate for each batch of documents —
    # quadratic in a registry import that indexes 200,000 new products in one transaction.
    in_force = {
        c.product_id: c
        for c in certificates_in_force(today=today)
        .filter(pk__in=certificate_ids)
        .only("product_id", "stars", "valid_from", "valid_until", "kept_until", "is_demo")
    }
    offers: dict[int, list[tuple]] = {}
    for product_id, price, seller_id, seller_type, has_stock in (
        offers_visible(today=today, product_ids=ids)
        .annotate(stocked=offer_stocked(today=today))
        .order_by()
        .values_list("variant__product_id", "price", "seller_id", "seller__seller_type", "stocked")
    ):
        offers.setdefault(product_id, []).append((price, seller_id, seller_type, has_stock))
    photos: dict[int, ProductPhoto] = {}
    for photo in ProductPhoto.objects.filter(product__in=ids).order_by(
        "product_id", "position", "id"
    ):
        photos.setdefault(photo.product_id, photo)

    now = timezone.now()
    documents = {}
    for product in products:
        holder = product.holder
        certificate = in_force.get(product.pk)
        last = latest.get(product.pk)
        sold = offers.get(product.pk, []) if certificate else []
        product_set = product.product_set
        category = product_set.category if product_set else None
        category_names = []
        if product_set:
            category_names = [product_set.name, category.name]
        fields = _text_fields(
            title=product.name,
            holder=holder.name,
            place=" ".join(_places(holder)),
            category=" ".join(category_names),
            body=" ".join([plain_text(product.description), plain_text(product.story)]),
        )
        documents[product.pk] = {
            **fields,
            "title": product.name,
            "subtitle": holder.name,
            "url": reverse("catalog:product_detail", args=[product.slug]),
            "sort_name": product.name_folded,
            "province_id": holder.province_id,
            "product_set_number": product_set.number if product_set else None,
            "category_slug": category.slug if category else "",
            "holder_id": holder.pk,
            "stars": certificate.stars if certificate else None,
            "certificate_valid_from": certificate.valid_from if certificate else None,
            "certificate_valid_until": certificate_last_day(certificate) if certificate else None,
            "latest_status": last.status if last else "",
            "latest_valid_from": last.valid_from if last else None,
            "latest_valid_until": last.valid_until if last else None,
            "min_price": min((o[0] for o in sold), default=None),
            "max_price": max((o[0] for o in sold), default=None),
            "seller_count": len({o[1] for o in sold}),
            "seller_types": " " + " ".join(sorted({o[2] for o in sold})) + " " if sold else "",
            "in_stock": any(o[3] for o in sold),
            "is_demo": bool(product.is_demo or (certificate and certificate.is_demo)),
            "card": {
                "slug": product.slug,
                "holder": {"id": holder.pk, "name": holder.name, "slug": holder.slug},
                "province": {
                    "id": holder.province_id,
                    "name": holder.province.name,
                    "slug": holder.province.slug,
                },
                "product_set": product_set.number if product_set else None,
                "photo": _photo(photos.get(product.pk)),
            },
            "updated_at": now,
        }
    return documents


def _products_of_certificates(ids: list[int]) -> Iterable[int]:
    return Certificate.objects.filter(pk__in=ids).values_list("product_id", flat=True)


def _products_of_offers(ids: list[int]) -> Iterable[int]:
    return Offer.objects.filter(pk__in=ids).values_list("variant__product_id", flat=True)


def _products_of_stock(ids: list[int]) -> Iterable[int]:
    return Stock.objects.filter(pk__in=ids).values_list("offer__variant__product_id", flat=True)


def _products_of_authorisations(ids: list[int]) -> Iterable[int]:
    return ResaleAuthorization.objects.filter(pk__in=ids).values_list("product_id", flat=True)


def _products_of_photos(ids: list[int]) -> Iterable[int]:
    return ProductPhoto.objects.filter(pk__in=ids).values_list("product_id", flat=True)


def _products_of_businesses(ids: list[int]) -> Iterable[int]:
    """A business's name is on the products it holds; its status decides whether the offers it
    sells are visible."""
    held = Product.objects.filter(holder__in=ids).values_list("pk", flat=True)
    sold = Offer.objects.filter(seller__in=ids).values_list("variant__product_id", flat=True)
    return {*held, *sold}


document_type_register(
    DocumentType(
        kind=PRODUCT,
        label=_("Products"),
        build=product_documents,
        all_ids=lambda: Product.objects.order_by("pk").values_list("pk", flat=True),
        depends_on={
            "catalog.product": lambda ids: ids,
            "catalog.certificate": _products_of_certificates,
            "catalog.productphoto": _products_of_photos,
            "offers.offer": _products_of_offers,
            "offers.stock": _products_of_stock,
            "offers.resaleauthorization": _products_of_authorisations,
            "sellers.business": _products_of_businesses,
        },
    )
)


# --- producers --------------------------------------------------------------------------------


def business_documents(ids: list[int], *, today: datetime.date | None = None) -> dict[int, dict]:
    """Producers: a business that holds at least one product with a certificate in force, found
    by its name, its places and the names of those products. Four queries."""
    today = today or timezone.localdate()
    products = list(
        Product.objects.filter(holder__in=ids)
        .order_by("name_folded")
        .values_list("pk", "holder_id", "name")
    )
    # Keyed by certificate ids, as ``product_documents`` is: a correlated "certificate in force"
    # per product was planned as a scan of every active certificate per batch (PostgreSQL has no
    # statistics inside a registry import's transaction; SQLite walks the status index).
    certificate_ids = list(
        Certificate.objects.filter(product__in=[pk for pk, _holder, _name in products])
        .order_by()
        .values_list("pk", flat=True)
    )
    in_force = set(
        certificates_in_force(today=today)
        .filter(pk__in=certificate_ids)
        .order_by()
        .values_list("product_id", flat=True)
    )
    certified: dict[int, list[str]] = {}
    for pk, holder_id, name in products:
        if pk in in_force:
            certified.setdefault(holder_id, []).append(name)
    businesses = Business.objects.filter(pk__in=certified).select_related(
        "province", "legacy_province"
    )
    now = timezone.now()
    documents = {}
    for business in businesses:
        names = certified[business.pk]
        documents[business.pk] = {
            **_text_fields(
                title=business.name, place=" ".join(_places(business)), body=" ".join(names)
            ),
            "title": business.name,
            "subtitle": business.province.name,
            "url": reverse("catalog:business_detail", args=[business.slug]),
            "sort_name": business.name_folded,
            "province_id": business.province_id,
            "holder_id": business.pk,
            "is_demo": business.is_demo,
            "card": {"slug": business.slug, "products": names[:5], "product_count": len(names)},
            "updated_at": now,
        }
    return documents


def _holders_of_products(ids: list[int]) -> Iterable[int]:
    return Product.objects.filter(pk__in=ids).values_list("holder_id", flat=True)


def _holders_of_certificates(ids: list[int]) -> Iterable[int]:
    return Certificate.objects.filter(pk__in=ids).values_list("product__holder_id", flat=True)


document_type_register(
    DocumentType(
        kind=BUSINESS,
        label=_("Producers"),
        build=business_documents,
        all_ids=lambda: Business.objects.order_by("pk").values_list("pk", flat=True),
        depends_on={
            "sellers.business": lambda ids: ids,
            "catalog.product": _holders_of_products,
            "catalog.certificate": _holders_of_certificates,
        },
    )
)

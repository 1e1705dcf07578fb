""" "At the fair" on the product page (``catalog.product_page``) and the seller page
(``storefront.seller_page``): upcoming and running fairs with a booth."""

from __future__ import annotations

from core.catalogue_cache import catalogue_reads
from marketplace.fairs.selectors import booths_at_fairs


class ProductAtFairSection:
    template = "fairs/_at_the_fair.html"

    def context(self, request, *, product, certificate, page: dict) -> dict:
        # Reads offers of this product only (which applications bring it): a cached product
        # page then depends on this product's offers, not on every offer (core.catalogue_cache).
        with catalogue_reads(products=[product.pk]):
            return {"at_fairs": booths_at_fairs(product_id=product.pk)}


class SellerAtFairSection:
    template = "fairs/_at_the_fair.html"

    def context(self, request, *, seller) -> dict:
        return {"at_fairs": booths_at_fairs(seller_id=seller.pk)}

"""schema.org JSON-LD for product pages.

The OCOP certificate is a certification issued by a public authority, not a review: it is given
as ``hasCertification``, never as ``aggregateRating`` (which search engines read as reviews).
"""

import json

from django.utils.safestring import SafeString, mark_safe

# What django.utils.html.json_script escapes, so the JSON can never close its <script> element.
_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def product_jsonld(*, product, certificate, offers, url: str, images=()) -> SafeString:
    data: dict = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": product.name,
        "url": url,
        "brand": {"@type": "Organization", "name": product.holder.name},
    }
    if images:
        data["image"] = list(images)
    if certificate is not None:
        data["hasCertification"] = {
            "@type": "Certification",
            "name": f"OCOP {certificate.stars}★",
            "certificationIdentification": certificate.number,
            "issuedBy": {"@type": "Organization", "name": certificate.decision.issuer},
            "validFrom": certificate.valid_from.isoformat(),
            "expires": certificate.valid_until.isoformat(),
        }
    if offers:
        prices = [offer.price for offer in offers]
        data["offers"] = {
            "@type": "AggregateOffer",
            "priceCurrency": "VND",
            "lowPrice": min(prices),
            "highPrice": max(prices),
            "offerCount": len(offers),
            "offers": [
                {
                    "@type": "Offer",
                    "price": offer.price,
                    "priceCurrency": "VND",
                    "availability": "https://schema.org/InStock"
                    if offer.stock_total > 0
                    else "https://schema.org/OutOfStock",
                    "seller": {"@type": "Organization", "name": offer.seller.name},
                    "name": offer.variant.name,
                }
                for offer in offers
            ],
        }
    text = json.dumps(data, ensure_ascii=False).translate(_ESCAPES)
    return mark_safe(f'<script type="application/ld+json">{text}</script>')

"""sitemap.xml for search engines: products, certificates, producers and sellers.

Served as an index (``/sitemap.xml``) of one sitemap per section (``/sitemap-<section>.xml``),
each paginated by Django at 50,000 addresses, so the registry can grow without a file going over
the protocol's limit. Each address is the page's canonical one (``core.site.site_url`` + path,
as in the pages' ``<link rel="canonical">``), read from a queryset of the columns it needs: a
section costs two queries (count, page) whatever its size. Lives with the storefront, which
serves the seller pages and sits above the registry whose pages it names.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from catalog.models import Certificate, Product
from core.site import site_url
from marketplace.places.selectors import points_public
from sellers.models import Business, SellerStatus


class _SiteSitemap(Sitemap):
    """Addresses on the site's origin (``core.site.site_url``), as the canonical links are."""

    limit = 50_000

    def get_urls(self, page=1, site=None, protocol=None):
        parts = urlsplit(site_url())

        class _Site:
            domain = parts.netloc

        return super().get_urls(page=page, site=_Site(), protocol=parts.scheme)


class ProductSitemap(_SiteSitemap):
    changefreq = "weekly"

    def items(self):
        return Product.objects.only("slug", "updated_at").order_by("id")

    def location(self, item):
        return reverse("catalog:product_detail", args=[item.slug])

    def lastmod(self, item):
        return item.updated_at


class CertificateSitemap(_SiteSitemap):
    changefreq = "monthly"

    def items(self):
        return Certificate.objects.only("number").order_by("id")

    def location(self, item):
        return reverse("catalog:certificate_detail", args=[item.number])


class ProducerSitemap(_SiteSitemap):
    """Businesses that hold at least one product in the registry."""

    changefreq = "weekly"

    def items(self):
        return (
            Business.objects.filter(products__isnull=False)
            .distinct()
            .only("slug", "updated_at")
            .order_by("id")
        )

    def location(self, item):
        return reverse("catalog:business_detail", args=[item.slug])

    def lastmod(self, item):
        return item.updated_at


class SellerSitemap(_SiteSitemap):
    """Businesses selling on the marketplace now."""

    changefreq = "daily"

    def items(self):
        return (
            Business.objects.filter(status=SellerStatus.ACTIVE)
            .only("slug", "updated_at")
            .order_by("id")
        )

    def location(self, item):
        return reverse("storefront:seller_detail", args=[item.slug])

    def lastmod(self, item):
        return item.updated_at


class PointSitemap(_SiteSitemap):
    """Points of sale buyers can see (``marketplace.places``)."""

    changefreq = "weekly"

    def items(self):
        return points_public().only("slug", "updated_at").order_by("id")

    def lastmod(self, item):
        return item.updated_at


SITEMAPS = {
    "products": ProductSitemap,
    "certificates": CertificateSitemap,
    "producers": ProducerSitemap,
    "sellers": SellerSitemap,
    "points": PointSitemap,
}

# Base class and registration for sections owned by packages above the storefront (fairs).
SiteSitemap = _SiteSitemap


def sitemap_section_register(section: str, sitemap_class: type[Sitemap]) -> None:
    SITEMAPS[section] = sitemap_class


def sitemap_index_entries() -> list[str]:
    """The address of every section page, on the site's origin (one count query per section)."""
    entries = []
    for section, sitemap_class in SITEMAPS.items():
        path = reverse("storefront:sitemap_section", args=[section])
        pages = sitemap_class().paginator.num_pages
        entries.append(f"{site_url()}{path}")
        entries.extend(f"{site_url()}{path}?p={page}" for page in range(2, pages + 1))
    return entries


ROBOTS_DISALLOWED = (
    "/admin/",
    "/seller/",
    "/tai-khoan/",
    "/gio-hang/",
    "/thanh-toan/",
    "/don-hang/",
    "/graphql/",
)


def robots_txt() -> str:
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in ROBOTS_DISALLOWED)]
    lines += ["", f"Sitemap: {site_url()}{reverse('storefront:sitemap')}", ""]
    return "\n".join(lines)

"""The fairs' section of sitemap.xml: every public fair's page."""

from django.urls import reverse

from marketplace.fairs.models import PUBLIC_STATUSES, Fair
from marketplace.storefront.sitemaps import SiteSitemap


class FairSitemap(SiteSitemap):
    changefreq = "weekly"

    def items(self):
        return (
            Fair.objects.filter(status__in=PUBLIC_STATUSES)
            .only("slug", "updated_at")
            .order_by("id")
        )

    def location(self, item):
        return reverse("fairs:fair_detail", args=[item.slug])

    def lastmod(self, item):
        return item.updated_at

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FairsConfig(AppConfig):
    name = "marketplace.fairs"
    label = "fairs"
    verbose_name = _("Fairs")

    def ready(self):
        from marketplace.fairs.sitemaps import FairSitemap
        from marketplace.storefront.sitemaps import sitemap_section_register

        sitemap_section_register("fairs", FairSitemap)

        from catalog.product_page import product_page_section_register
        from marketplace.fairs.sections import ProductAtFairSection, SellerAtFairSection
        from marketplace.storefront.seller_page import seller_page_section_register

        product_page_section_register(ProductAtFairSection())
        seller_page_section_register(SellerAtFairSection())

        from marketplace.fairs.selectors import offers_at_booths_attach
        from marketplace.storefront.offer_rows import offer_rows_attach_register

        offer_rows_attach_register(offers_at_booths_attach)

        from sellers.workspace import WorkspaceSection, workspace_section_register

        workspace_section_register(WorkspaceSection(45, "fairs_workspace:applications", _("Fairs")))

        from marketplace.fairs.demo import demo_fairs_load
        from marketplace.offers.demo import demo_shop_step_register

        demo_shop_step_register(demo_fairs_load)

        from marketplace.fairs.services import booth_fee_transfer_match
        from marketplace.payments.services import bank_transfer_matcher_register

        bank_transfer_matcher_register(booth_fee_transfer_match)

        from marketplace.fairs.selectors import organiser_account_links
        from sellers.account_links import account_links_register

        account_links_register(organiser_account_links)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlacesConfig(AppConfig):
    name = "marketplace.places"
    label = "places"
    verbose_name = _("Points of sale")

    def ready(self):
        from catalog.product_page import product_page_section_register
        from marketplace.offers.demo import demo_shop_step_register
        from marketplace.places.demo import demo_points_load
        from marketplace.places.product_page import (
            NearestPointsSection,
            nearest_points_hole_register,
        )

        demo_shop_step_register(demo_points_load)
        product_page_section_register(NearestPointsSection())
        nearest_points_hole_register()
        from sellers.workspace import WorkspaceSection, workspace_section_register

        workspace_section_register(
            WorkspaceSection(35, "places_workspace:point_list", _("Points of sale"))
        )

from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language

# The marketplace's own name on every admin page, instead of "Django administration".
admin.site.site_header = _("Chợ OCOP administration")
admin.site.site_title = _("Chợ OCOP admin")
admin.site.index_title = _("Marketplace administration")

urlpatterns = [
    # The language switch is in the header of every page. Its form carries no CSRF token: a
    # token there made every anonymous page, cached ones and 404s included, set a csrftoken
    # cookie. Another site switching a visitor's language harms nothing, so the view is exempt.
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    path("admin/", admin.site.urls),
    path("", include("api.urls")),
    path("tai-khoan/", include("sellers.urls_account")),
    path("seller/", include("sellers.urls_workspace")),
    path("seller/", include("marketplace.offers.urls")),
    path("seller/", include("marketplace.orders.urls_workspace")),
    path("seller/", include("marketplace.ledger.urls_workspace")),
    path("seller/", include("traceability.urls_workspace")),
    path("seller/", include("marketplace.fairs.urls_workspace")),
    path("to-chuc/", include("marketplace.fairs.urls_organiser")),
    path("seller/", include("marketplace.places.urls_workspace")),
    path("", include("marketplace.orders.urls")),
    path("", include("marketplace.payments.urls")),
    path("", include("traceability.urls")),
    path("", include("search.urls")),
    path("", include("marketplace.fairs.urls")),
    path("", include("marketplace.storefront.urls")),
    path("", include("marketplace.places.urls")),
    path("", include("sellers.urls")),
    path("", include("catalog.urls")),
]
# Uploaded files, answered only where SERVE_MEDIA is on (core.media).
urlpatterns.append(path("", include("core.urls_media")))

from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("api.urls")),
    path("tai-khoan/", include("sellers.urls_account")),
    path("seller/", include("sellers.urls_workspace")),
    path("seller/", include("marketplace.offers.urls")),
    path("seller/", include("marketplace.orders.urls_workspace")),
    path("seller/", include("marketplace.ledger.urls_workspace")),
    path("seller/", include("traceability.urls_workspace")),
    path("", include("marketplace.orders.urls")),
    path("", include("marketplace.payments.urls")),
    path("", include("traceability.urls")),
    path("", include("search.urls")),
    path("", include("marketplace.storefront.urls")),
    path("", include("sellers.urls")),
    path("", include("catalog.urls")),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

from django.urls import path

from catalog import views

app_name = "catalog"
urlpatterns = [
    # The registry lookup: every certified product, and expired or revoked ones on request.
    path("tra-cuu/", views.product_list_view, name="registry"),
    # "/" and the product page are served by the storefront (included before this module);
    # these two routes are shadowed and stay only so the names used by the shared templates
    # (base.html, 404.html, product cards, certificate page) keep reversing to those addresses.
    path("", views.product_list_view, name="product_list"),
    path("san-pham/<slug:slug>/", views.product_detail_view, name="product_detail"),
    path("chung-nhan/<str:number>/", views.certificate_detail_view, name="certificate_detail"),
    path("chu-the/<slug:slug>/", views.business_detail_view, name="business_detail"),
]

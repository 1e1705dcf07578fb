from django.urls import path

from catalog import views, views_opendata

app_name = "catalog"
urlpatterns = [
    # The registry lookup: every certified product, and expired or revoked ones on request.
    path("tra-cuu/", views.product_list_view, name="registry"),
    # The one product page; the storefront adds where to buy (catalog.product_page).
    path("san-pham/<slug:slug>/", views.product_detail_view, name="product_detail"),
    path("chung-nhan/<str:number>/", views.certificate_detail_view, name="certificate_detail"),
    path("chu-the/<slug:slug>/", views.business_detail_view, name="business_detail"),
    # Open data: the registry as dated CSV/XLSX/JSON snapshots (catalog/opendata.py).
    path("du-lieu-mo/", views_opendata.opendata_page_view, name="opendata"),
    path(
        "du-lieu-mo/registry.schema.json",
        views_opendata.opendata_schema_view,
        name="opendata_schema",
    ),
    path(
        "du-lieu-mo/<str:snapshot>/<str:name>",
        views_opendata.opendata_file_view,
        name="opendata_file",
    ),
]

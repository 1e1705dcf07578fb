from django.contrib.sitemaps import views as sitemap_views
from django.urls import path

from marketplace.storefront import views
from marketplace.storefront.sitemaps import SITEMAPS

app_name = "storefront"
urlpatterns = [
    path("", views.home_view, name="home"),
    path("san-pham/", views.product_list_view, name="product_list"),
    path("danh-muc/<slug:slug>/", views.category_view, name="category"),
    path("bo-san-pham/<int:number>/", views.product_set_view, name="product_set"),
    path("tinh/<slug:slug>/", views.province_view, name="province"),
    path("nguoi-ban/<slug:slug>/", views.seller_detail_view, name="seller_detail"),
    path("sitemap.xml", views.sitemap_index_view, name="sitemap"),
    path(
        "sitemap-<str:section>.xml",
        sitemap_views.sitemap,
        {"sitemaps": SITEMAPS},
        name="sitemap_section",
    ),
    path("robots.txt", views.robots_txt_view, name="robots_txt"),
]

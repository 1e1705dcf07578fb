from django.urls import path

from catalog import views

app_name = "catalog"
urlpatterns = [
    path("", views.product_list_view, name="product_list"),
    path("san-pham/", views.product_list_view, name="product_list_alias"),
    path("san-pham/<slug:slug>/", views.product_detail_view, name="product_detail"),
    path("chung-nhan/<str:number>/", views.certificate_detail_view, name="certificate_detail"),
    path("chu-the/<slug:slug>/", views.business_detail_view, name="business_detail"),
]

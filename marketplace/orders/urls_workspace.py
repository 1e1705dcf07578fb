"""Seller order pages (namespace "orders_workspace", mounted at /seller/)."""

from django.urls import path

from marketplace.orders import views_workspace as views

app_name = "orders_workspace"
urlpatterns = [
    path("<slug:slug>/orders/", views.order_list, name="order_list"),
    path("<slug:slug>/orders/<str:number>/", views.order_detail, name="order_detail"),
    path(
        "<slug:slug>/orders/<str:number>/packing-slip/",
        views.packing_slip,
        name="packing_slip",
    ),
    path("<slug:slug>/orders/<str:number>/<str:action>/", views.order_action, name="order_action"),
]

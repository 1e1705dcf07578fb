"""Seller workspace: offers, stock, product content (namespace "offers", mounted at /seller/).
Every route starts with the business slug, resolved through the user's memberships."""

from django.urls import path

from marketplace.offers import views

app_name = "offers"
urlpatterns = [
    path("<slug:slug>/", views.dashboard, name="dashboard"),
    path("<slug:slug>/offers/", views.offer_list, name="offer_list"),
    path("<slug:slug>/offers/new/", views.offer_create_view, name="offer_create"),
    path("<slug:slug>/offers/<int:pk>/", views.offer_edit, name="offer_edit"),
    path("<slug:slug>/offers/<int:pk>/publish/", views.offer_publish_view, name="offer_publish"),
    path("<slug:slug>/offers/<int:pk>/pause/", views.offer_pause_view, name="offer_pause"),
    path("<slug:slug>/offers/<int:pk>/delete/", views.offer_delete_view, name="offer_delete"),
    path("<slug:slug>/stock/", views.stock, name="stock"),
    path(
        "<slug:slug>/stock/locations/new/",
        views.stock_location_create_view,
        name="location_create",
    ),
    path("<slug:slug>/products/", views.product_list, name="product_list"),
    path("<slug:slug>/products/<slug:product_slug>/", views.product_edit, name="product_edit"),
    path(
        "<slug:slug>/products/<slug:product_slug>/variants/new/",
        views.variant_add,
        name="variant_add",
    ),
    path(
        "<slug:slug>/products/<slug:product_slug>/variants/<int:pk>/",
        views.variant_edit,
        name="variant_edit",
    ),
    path(
        "<slug:slug>/products/<slug:product_slug>/variants/<int:pk>/remove/",
        views.variant_remove,
        name="variant_remove",
    ),
    path("<slug:slug>/products/<slug:product_slug>/photos/", views.photo_add, name="photo_add"),
    path(
        "<slug:slug>/products/<slug:product_slug>/photos/move/",
        views.photo_move,
        name="photo_move",
    ),
    path(
        "<slug:slug>/products/<slug:product_slug>/photos/<int:pk>/remove/",
        views.photo_remove,
        name="photo_remove",
    ),
    path(
        "<slug:slug>/products/<slug:product_slug>/resellers/",
        views.resale_grant_view,
        name="resale_grant",
    ),
    path("<slug:slug>/resale/<int:pk>/revoke/", views.resale_revoke_view, name="resale_revoke"),
]

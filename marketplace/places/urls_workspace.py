"""The operator's points of sale in the seller workspace (namespace "places_workspace", mounted
at /seller/)."""

from django.urls import path

from marketplace.places import views_workspace as views

app_name = "places_workspace"
urlpatterns = [
    path("<slug:slug>/diem-ban/", views.point_list, name="point_list"),
    path("<slug:slug>/diem-ban/new/", views.point_create_view, name="point_create"),
    path("<slug:slug>/diem-ban/<int:pk>/", views.point_edit, name="point_edit"),
    path("<slug:slug>/diem-ban/<int:pk>/status/", views.point_status, name="point_status"),
    path("<slug:slug>/diem-ban/<int:pk>/hours/", views.point_hours, name="point_hours"),
    path(
        "<slug:slug>/diem-ban/<int:pk>/hours/<int:exception_pk>/remove/",
        views.point_exception_delete,
        name="point_exception_delete",
    ),
    path(
        "<slug:slug>/diem-ban/<int:pk>/photos/", views.point_photo_add_view, name="point_photo_add"
    ),
    path(
        "<slug:slug>/diem-ban/<int:pk>/photos/<int:photo_pk>/remove/",
        views.point_photo_remove_view,
        name="point_photo_remove",
    ),
    path(
        "<slug:slug>/diem-ban/<int:pk>/photos/<int:photo_pk>/move/",
        views.point_photo_move_view,
        name="point_photo_move",
    ),
    path("<slug:slug>/diem-ban/<int:pk>/stock/", views.point_stock, name="point_stock"),
]

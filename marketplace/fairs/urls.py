from django.urls import path

from marketplace.fairs import views

app_name = "fairs"
urlpatterns = [
    path("hoi-cho/", views.fair_list_view, name="fair_list"),
    path("hoi-cho/<slug:slug>/", views.fair_detail_view, name="fair_detail"),
    path("hoi-cho/<slug:slug>/so-do.svg", views.fair_map_svg_view, name="fair_map_svg"),
    path("hoi-cho/<slug:slug>/lich.ics", views.fair_ics_view, name="fair_ics"),
    path(
        "hoi-cho/<slug:slug>/xuat/<str:kind>.<str:fmt>",
        views.fair_export_view,
        name="fair_export",
    ),
]

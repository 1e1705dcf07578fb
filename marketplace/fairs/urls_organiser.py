"""The organiser's pages (namespace "fairs_organiser", mounted at /to-chuc/)."""

from django.urls import path

from marketplace.fairs import views_organiser as views

app_name = "fairs_organiser"
urlpatterns = [
    path("<slug:slug>/", views.organiser_home, name="home"),
    path("<slug:slug>/hoi-cho/<slug:fair_slug>/", views.organiser_fair, name="fair"),
    path(
        "<slug:slug>/hoi-cho/<slug:fair_slug>/bien-gian-hang.pdf",
        views.booth_signs_download,
        name="booth_signs",
    ),
    path("<slug:slug>/hoi-cho/<slug:fair_slug>/so-do/", views.desk_booth_map, name="booth_map"),
    path(
        "<slug:slug>/don/<int:pk>/gian/<int:booth_pk>/",
        views.assign_confirm,
        name="assign_confirm",
    ),
    path(
        "<slug:slug>/don/<int:pk>/<str:action>/",
        views.application_decide,
        name="application_decide",
    ),
    path("<slug:slug>/gian/<int:pk>/tra/", views.assignment_release, name="assignment_release"),
    path("<slug:slug>/gian/<int:pk>/da-thu/", views.assignment_fee_paid, name="fee_paid"),
]

"""The organiser's pages (namespace "fairs_organiser", mounted at /to-chuc/)."""

from django.urls import path

from marketplace.fairs import views_organiser as views
from marketplace.fairs import views_organiser_setup as setup

app_name = "fairs_organiser"
urlpatterns = [
    path("<slug:slug>/", views.organiser_home, name="home"),
    path("<slug:slug>/hoi-cho-moi/", setup.fair_new, name="fair_new"),
    path("<slug:slug>/hoi-cho/<slug:fair_slug>/", views.organiser_fair, name="fair"),
    path("<slug:slug>/hoi-cho/<slug:fair_slug>/sua/", setup.fair_edit, name="fair_edit"),
    path("<slug:slug>/hoi-cho/<slug:fair_slug>/trang-thai/", setup.fair_status, name="fair_status"),
    path("<slug:slug>/hoi-cho/<slug:fair_slug>/khu/", setup.zones, name="zones"),
    path("<slug:slug>/khu/<int:pk>/sua/", setup.zone_edit, name="zone_edit"),
    path("<slug:slug>/hoi-cho/<slug:fair_slug>/gian-hang/", setup.booths, name="booths"),
    path(
        "<slug:slug>/hoi-cho/<slug:fair_slug>/gian-hang/tao/",
        setup.booths_bulk,
        name="booths_bulk",
    ),
    path(
        "<slug:slug>/hoi-cho/<slug:fair_slug>/gian-hang/nhap/",
        setup.layout_upload,
        name="layout_upload",
    ),
    path(
        "<slug:slug>/hoi-cho/<slug:fair_slug>/gian-hang/gop/",
        setup.booths_merge,
        name="booths_merge",
    ),
    path("<slug:slug>/gian-hang/<int:pk>/<str:action>/", setup.booth_change, name="booth_change"),
    path("<slug:slug>/hoi-cho/<slug:fair_slug>/chuong-trinh/", setup.programme, name="programme"),
    path("<slug:slug>/chuong-trinh/<int:pk>/xoa/", setup.programme_remove, name="programme_remove"),
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

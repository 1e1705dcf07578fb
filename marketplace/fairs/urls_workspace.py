"""The seller's fair pages (namespace "fairs_workspace", mounted at /seller/)."""

from django.urls import path

from marketplace.fairs import views_workspace as views

app_name = "fairs_workspace"
urlpatterns = [
    path("<slug:slug>/hoi-cho/", views.applications, name="applications"),
    path("<slug:slug>/hoi-cho/<slug:fair_slug>/dang-ky/", views.apply, name="apply"),
    path("<slug:slug>/hoi-cho/don/<int:pk>/rut/", views.withdraw, name="withdraw"),
]

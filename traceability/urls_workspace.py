"""Seller workspace: batches, provenance and stamps (namespace "traceability_workspace", mounted
at /seller/). Every route starts with the business slug, resolved through the user's
memberships."""

from django.urls import path

from traceability import views_workspace as views

app_name = "traceability_workspace"
urlpatterns = [
    path("<slug:slug>/batches/", views.batch_list, name="batch_list"),
    path("<slug:slug>/batches/new/", views.batch_create_view, name="batch_create"),
    path("<slug:slug>/batches/<int:pk>/", views.batch_detail, name="batch_detail"),
    # The batch's provenance as an EPCIS 2.0 JSON-LD document (traceability/epcis.py).
    path("<slug:slug>/batches/<int:pk>/epcis.jsonld", views.batch_epcis, name="batch_epcis"),
    # What the lot was made from (a transformation event with its input lots).
    path(
        "<slug:slug>/batches/<int:pk>/made-from/",
        views.batch_transformation,
        name="batch_transformation",
    ),
    # Items of the lot packed into cartons and taken out (aggregation events).
    path("<slug:slug>/batches/<int:pk>/cartons/", views.batch_carton, name="batch_carton"),
    path(
        "<slug:slug>/batches/<int:pk>/events/<int:event_pk>/correct/",
        views.event_correct,
        name="event_correct",
    ),
    path("<slug:slug>/batches/<int:pk>/stamps/", views.stamp_run_list, name="stamp_run_list"),
    path(
        "<slug:slug>/batches/<int:pk>/stamps/new/",
        views.stamp_run_create_view,
        name="stamp_run_create",
    ),
    path("<slug:slug>/stamp-runs/<int:run_pk>/", views.stamp_run_detail, name="stamp_run_detail"),
    # One PDF of the whole run (and the CSV), drawn in the background (services/prints.py).
    path(
        "<slug:slug>/stamp-runs/<int:run_pk>/prints/",
        views.stamp_run_print_create,
        name="stamp_run_print_create",
    ),
    path(
        "<slug:slug>/stamp-runs/<int:run_pk>/prints/<int:print_pk>.<str:kind>",
        views.stamp_run_print_file,
        name="stamp_run_print_file",
    ),
    path(
        "<slug:slug>/stamp-runs/<int:run_pk>/stamps/<str:serial>.png",
        views.stamp_png,
        name="stamp_png",
    ),
    path(
        "<slug:slug>/stamp-runs/<int:run_pk>/stamps/<str:serial>.svg",
        views.stamp_svg,
        name="stamp_svg",
    ),
]

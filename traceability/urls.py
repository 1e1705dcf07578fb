from django.urls import path, re_path

from traceability import views

app_name = "traceability"
urlpatterns = [
    path("s/<str:code>/", views.scan_view, name="scan"),
    # The form printed in QR codes: capitals keep the URL in the QR alphanumeric set, and it is
    # served as is (no redirect: one round trip less on a phone).
    path("S/<str:code>", views.scan_view, name="scan_short"),
    path("S/<str:code>/", views.scan_view),
    # GS1 Digital Link: /01/{gtin}[/22/{variant}][/10/{lot}][/21/{serial}]; the view parses the
    # rest so a malformed path gets the resolver's 400, not a routing 404.
    re_path(r"^01/(?P<path>.*)$", views.gs1_resolver_view, name="gs1"),
    path(
        ".well-known/gs1resolver",
        views.gs1_resolver_description,
        name="gs1_resolver_description",
    ),
]

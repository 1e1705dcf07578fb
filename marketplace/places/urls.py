from django.urls import path

from marketplace.places import views

app_name = "places"
urlpatterns = [
    path("diem-ban/", views.point_list_view, name="point_list"),
    path("diem-ban/<slug:slug>/", views.point_detail_view, name="point_detail"),
]

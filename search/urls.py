from django.urls import path

from search import views

app_name = "search"
urlpatterns = [
    path("tim-kiem/", views.search_view, name="results"),
    path("tim-kiem/goi-y/", views.suggest_view, name="suggest"),
    path("tim-kiem/tinh-trang/", views.health_view, name="health"),
]

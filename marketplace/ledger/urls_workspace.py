from django.urls import path

from marketplace.ledger import views_workspace as views

app_name = "ledger_workspace"
urlpatterns = [
    path("<slug:slug>/ledger/", views.ledger, name="ledger"),
]

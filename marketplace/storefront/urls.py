from django.urls import path

from marketplace.storefront import views

app_name = "storefront"
urlpatterns = [
    # Same address as the registry's product page, which this one extends with offers.
    path("san-pham/<slug:slug>/", views.product_detail_view, name="product_detail"),
]

from django.urls import path

from marketplace.orders import views

app_name = "orders"
urlpatterns = [
    path("gio-hang/", views.cart_view, name="cart"),
    path("gio-hang/them/", views.cart_add, name="cart_add"),
    path("gio-hang/dong/<int:line_id>/", views.cart_line, name="cart_line"),
    path("gio-hang/gia-moi/", views.cart_accept_prices, name="cart_accept_prices"),
    path("thanh-toan/", views.checkout_view, name="checkout"),
    path("don-hang/xac-nhan/<uuid:token>/", views.confirmation, name="confirmation"),
    # Before the order page: its path would read "lien-ket-moi" as an order number.
    path("don-hang/lien-ket-moi/", views.order_link, name="order_link"),
    path("don-hang/<str:number>/", views.order_detail, name="order_detail"),
    path("tai-khoan/don-hang/", views.order_history, name="order_history"),
]

from django.urls import path

from marketplace.payments import views

app_name = "payments"
urlpatterns = [
    # Stripe's Payment Element sends the buyer back here after confirming the card.
    path("thanh-toan/the/", views.checkout_card_return, name="card_return"),
    path("payments/stripe/webhook/", views.stripe_webhook, name="stripe_webhook"),
    path("payments/bank/notify/", views.bank_notify, name="bank_notify"),
    path("payments/vietqr/<str:reference>.png", views.vietqr_image, name="vietqr_image"),
]

"""Provider endpoints (thin: verify, call one service, answer), the return from the card page,
and the VietQR image."""

from django.contrib import messages
from django.http import (
    Http404,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseForbidden,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from marketplace.orders.errors import CheckoutError
from marketplace.orders.selectors import order_visible_to
from marketplace.orders.services import cart_for_request
from marketplace.orders.views import checkout_placed
from marketplace.payments import providers
from marketplace.payments.models import Payment
from marketplace.payments.services import (
    bank_notification_receive,
    checkout_complete,
    stripe_webhook_receive,
)
from marketplace.payments.vietqr import vietqr_png


def checkout_card_return(request):
    """Stripe's Payment Element sends the buyer back here after confirming the card."""
    cart = cart_for_request(user=request.user, session=request.session, create=False)
    payment = Payment.objects.filter(cart=cart).first() if cart else None
    if payment is None:
        return HttpResponseRedirect(reverse("orders:cart"))
    try:
        checkout_complete(cart=cart, actor=request.user if request.user.is_authenticated else None)
    except CheckoutError as exc:
        messages.error(request, exc.message)
        return HttpResponseRedirect(reverse("orders:checkout"))
    return checkout_placed(request, cart)


@csrf_exempt
@require_POST
def stripe_webhook(request):
    try:
        applied = stripe_webhook_receive(
            payload=request.body, signature=request.headers.get("Stripe-Signature", "")
        )
    except ValueError:
        return HttpResponseBadRequest("invalid signature or payload")
    # 200 for duplicates too: Stripe must stop retrying an event already applied.
    return JsonResponse({"applied": applied})


@csrf_exempt
@require_POST
def bank_notify(request):
    try:
        notification = bank_notification_receive(
            body=request.body, signature=request.META.get(providers.BANK_SIGNATURE_HEADER, "")
        )
    except PermissionError:
        return HttpResponseForbidden("invalid signature")
    except ValueError as exc:
        return HttpResponseBadRequest(str(exc), content_type="text/plain; charset=utf-8")
    return JsonResponse({"status": notification.status})


@never_cache
@require_GET
def vietqr_image(request, reference):
    payment = get_object_or_404(Payment.objects.select_related("cart"), reference=reference)
    # One payment pays every order of a checkout and each order's e-mail link carries a token
    # for that order: whichever of them the buyer may open shows the code.
    token = request.GET.get("t", "")
    if not any(
        order_visible_to(order=order, user=request.user, session=request.session, token=token)
        for order in payment.cart.orders.select_related("cart").order_by("id")
    ):
        raise Http404  # the same answer as an unknown reference
    payload = providers.vietqr_for(amount=payment.amount_due, reference=payment.reference)
    return HttpResponse(vietqr_png(payload), content_type="image/png")

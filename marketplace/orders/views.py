"""Buyer pages: cart, checkout, order confirmation, order page and history.

Thin: each view reads the request, calls the orders services and renders. Paying is the payment
step that marketplace.payments registers (``marketplace.orders.payment``): orders never imports
payments, which sit above it.
"""

import math

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from core.phone import phone_display
from core.ratelimit import FailureLimit, client_ip
from marketplace.offers.models import Offer, StockLocation
from marketplace.orders.context_processors import CART_QUANTITY_KEY
from marketplace.orders.errors import CheckoutError
from marketplace.orders.forms import CheckoutForm, OrderLinkForm
from marketplace.orders.models import Cart, CartLine, CartStatus, DeliveryMethod, PaymentMethod
from marketplace.orders.notifications import order_link_send
from marketplace.orders.payment import payment_step
from marketplace.orders.selectors import (
    ORDER_SESSION_KEY,
    checkout_summary,
    order_by_number,
    order_link_expired,
    order_visible_to,
    orders_for_buyer,
    orders_of_checkout,
    orders_pickup_attach,
)
from marketplace.orders.services import (
    DeliveryChoice,
    cart_for_request,
    cart_line_add,
    cart_line_update,
    checkout_accept_prices,
    checkout_details_set,
)

ORDERS_PER_PAGE = 20
# Order pages by number: every number a client cannot open counts, so guessing numbers stops
# after a few tries while a buyer who mistypes one is hardly slowed.
ORDER_LOOKUP_PER_CLIENT = FailureLimit("order-lookup", limit=20, window=10 * 60, on_outage="closed")
# Fresh order links: each request may send mail to a real person.
ORDER_LINK_PER_CLIENT = FailureLimit("order-link-ip", limit=5, window=60 * 60, on_outage="closed")
ORDER_LINK_PER_EMAIL = FailureLimit("order-link-email", limit=3, window=60 * 60, on_outage="closed")


def _cart(request, *, create=True) -> Cart | None:
    return cart_for_request(user=request.user, session=request.session, create=create)


def _remember_quantity(request, cart: Cart | None) -> None:
    quantity = 0
    if cart is not None and cart.status == CartStatus.OPEN:
        quantity = sum(cart.lines.values_list("quantity", flat=True))
    request.session[CART_QUANTITY_KEY] = quantity


def _back(request, default: str) -> str:
    target = request.POST.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


@require_POST
def cart_add(request):
    offer = get_object_or_404(
        Offer.objects.select_related("variant__product"), pk=request.POST.get("offer") or 0
    )
    try:
        cart_line_add(cart=_cart(request), offer=offer, quantity=request.POST.get("quantity", 1))
    except CheckoutError as exc:
        messages.error(request, exc.message)
        return HttpResponseRedirect(_back(request, reverse("orders:cart")))
    _remember_quantity(request, _cart(request))
    messages.success(request, _added_message(offer))
    return HttpResponseRedirect(reverse("orders:cart"))


def _added_message(offer) -> str:
    return _("%(product)s was added to your cart.") % {"product": offer.variant.product.name}


def cart_view(request):
    cart = _cart(request, create=False)
    summary = checkout_summary(cart=cart) if cart else None
    _remember_quantity(request, cart)
    return render(request, "orders/cart.html", {"cart": cart, "summary": summary})


@require_POST
def cart_line(request, line_id):
    cart = _cart(request, create=False)
    if cart is None:
        raise Http404
    line = get_object_or_404(
        CartLine.objects.select_related("offer__variant__product"), pk=line_id, cart=cart
    )
    quantity = 0 if "remove" in request.POST else request.POST.get("quantity", "")
    try:
        cart_line_update(cart=cart, line=line, quantity=quantity)
    except CheckoutError as exc:
        messages.error(request, exc.message)
    _remember_quantity(request, cart)
    return HttpResponseRedirect(reverse("orders:cart"))


@require_POST
def cart_accept_prices(request):
    cart = _cart(request, create=False)
    if cart is not None:
        checkout_accept_prices(cart=cart)
    return HttpResponseRedirect(_back(request, reverse("orders:cart")))


def _initial(cart: Cart, summary) -> dict:
    initial = {
        "email": cart.email or getattr(cart.user, "email", ""),
        "phone": phone_display(cart.phone),
        "recipient_name": cart.recipient_name,
        "province": cart.province_id,
        "commune": cart.commune,
        "street": cart.street,
        "note": cart.note,
        "payment_method": PaymentMethod.COD,
    }
    for group in summary.groups:
        value = "shipping"
        if group.delivery_method == DeliveryMethod.PICKUP and group.pickup_location:
            value = f"pickup:{group.pickup_location.pk}"
        initial[f"delivery_{group.seller.pk}"] = value
    return initial


def _apply(form: CheckoutForm, cart: Cart) -> bool:
    """Hand every input to its service, even when the form refused some field: each refusal
    lands on the field that caused it, all of them in one answer."""
    data = form.cleaned_data
    deliveries = []
    for group, name in form.groups:
        choice = data.get(name) or ""
        if choice.startswith("pickup:"):
            location = StockLocation.objects.filter(pk=choice.split(":", 1)[1]).first()
            deliveries.append(DeliveryChoice(group.seller, DeliveryMethod.PICKUP, location))
        else:
            deliveries.append(DeliveryChoice(group.seller, DeliveryMethod.SHIPPING))
    try:
        checkout_details_set(
            cart=cart,
            email=data.get("email", ""),
            phone=data.get("phone", ""),
            note=data.get("note", ""),
            deliveries=deliveries,
            recipient_name=data.get("recipient_name", ""),
            province=data.get("province"),
            commune=data.get("commune", ""),
            street=data.get("street", ""),
        )
    except CheckoutError as exc:
        for error in exc.errors:
            field = error.field if error.field in form.fields else None
            if field is None or field not in form.errors:  # the form said it already
                form.add_error(field, error.message)
        return False
    return True


def checkout_view(request):
    cart = _cart(request, create=False)
    if cart is None or not cart.lines.exists():
        return HttpResponseRedirect(reverse("orders:cart"))
    summary = checkout_summary(cart=cart)
    if request.method == "POST":
        form = CheckoutForm(request.POST, summary=summary, methods=payment_step().method_choices())
        valid = form.is_valid()
        if _apply(form, cart) and valid:
            try:
                page = payment_step().start(
                    request, cart=cart, method=form.cleaned_data["payment_method"]
                )
            except CheckoutError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                return page or checkout_placed(request, cart)
        summary = checkout_summary(cart=cart)
    else:
        form = CheckoutForm(
            initial=_initial(cart, summary),
            summary=summary,
            methods=payment_step().method_choices(),
        )
    return render(request, "orders/checkout.html", {"form": form, "summary": summary})


def checkout_placed(request, cart: Cart):
    """After the orders of ``cart`` are placed: the cart badge empties, this browser may open
    the orders, and the buyer sees the confirmation."""
    request.session[CART_QUANTITY_KEY] = 0
    placed = request.session.get(ORDER_SESSION_KEY, [])
    request.session[ORDER_SESSION_KEY] = [*placed[-19:], str(cart.token)]
    return HttpResponseRedirect(reverse("orders:confirmation", args=[cart.token]))


def confirmation(request, token):
    cart = get_object_or_404(Cart, token=token, status=CartStatus.COMPLETED)
    orders = orders_pickup_attach(orders_of_checkout(cart=cart))
    if not orders or not order_visible_to(
        order=orders[0], user=request.user, session=request.session, token=request.GET.get("t", "")
    ):
        raise Http404
    return render(
        request,
        "orders/confirmation.html",
        {"cart": cart, "orders": orders, **payment_step().order_context(orders=orders)},
    )


def order_detail(request, number):
    ip = client_ip(request)
    wait = ORDER_LOOKUP_PER_CLIENT.retry_after(ip)
    if wait:
        return _order_link_page(request, OrderLinkForm(), status=429, wait=wait)
    order = order_by_number(number=number)
    token = request.GET.get("t", "")
    if order is None or not order_visible_to(
        order=order, user=request.user, session=request.session, token=token
    ):
        ORDER_LOOKUP_PER_CLIENT.fail(ip)
        if order is not None and token and order_link_expired(order=order, token=token):
            form = OrderLinkForm(initial={"number": order.number})
            return _order_link_page(request, form, status=410, expired=True)
        raise Http404
    return render(
        request,
        "orders/order_detail.html",
        {"order": order, **payment_step().order_context(orders=[order])},
    )


@never_cache
def order_link(request):
    """Ask for a fresh link to an order by e-mail. The answer is the same whether or not such
    an order exists; the link only ever goes to the address the order was placed with."""
    if request.method != "POST":
        return _order_link_page(request, OrderLinkForm(initial={"number": request.GET.get("n")}))
    form = OrderLinkForm(request.POST)
    if not form.is_valid():
        return _order_link_page(request, form, status=400)
    number, email = form.cleaned_data["number"], form.cleaned_data["email"]
    wait = ORDER_LINK_PER_CLIENT.spend(client_ip(request)) or ORDER_LINK_PER_EMAIL.spend(email)
    if wait:
        return _order_link_page(request, form, status=429, wait=wait)
    order_link_send(number=number, email=email)
    messages.success(
        request,
        _(
            "If an order with this number was placed with this e-mail address, a new link to "
            "it is on its way there."
        ),
    )
    return HttpResponseRedirect(reverse("orders:order_link"))


def _order_link_page(request, form, *, status: int = 200, wait: int = 0, expired=False):
    return render(
        request,
        "orders/order_link.html",
        {
            "form": form,
            "expired": expired,
            "wait_minutes": math.ceil(wait / 60),
            "days": settings.ORDERS_LINK_MAX_AGE_DAYS,
        },
        status=status,
    )


@login_required
def order_history(request):
    page = Paginator(orders_for_buyer(user=request.user), ORDERS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request, "orders/order_history.html", {"page": page, "orders": list(page.object_list)}
    )

"""Seller order pages: every order is looked up through the user's membership of the seller."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from marketplace.offers.views import Workspace
from marketplace.orders.errors import CheckoutError
from marketplace.orders.forms import CancelForm, ShipForm
from marketplace.orders.models import OrderStatus
from marketplace.orders.selectors import order_for_seller, orders_for_seller
from marketplace.orders.services import (
    order_cancel,
    order_complete,
    order_deliver,
    order_process,
    order_ship,
)

ORDERS_PER_PAGE = 30


@login_required
def order_list(request, slug):
    ws = Workspace(request, slug)
    status = request.GET.get("status") or None
    if status not in OrderStatus.values:
        status = None
    orders = orders_for_seller(business=ws.business, status=status)
    page = Paginator(orders, ORDERS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "orders/workspace/order_list.html",
        ws.context(
            page=page, orders=list(page.object_list), status=status, statuses=OrderStatus.choices
        ),
    )


def _order(ws, number):
    order = order_for_seller(business=ws.business, number=number)
    if order is None:
        raise Http404
    return order


@login_required
def order_detail(request, slug, number):
    ws = Workspace(request, slug)
    order = _order(ws, number)
    return render(
        request,
        "orders/workspace/order_detail.html",
        ws.context(order=order, ship_form=ShipForm(), cancel_form=CancelForm()),
    )


@login_required
def packing_slip(request, slug, number):
    ws = Workspace(request, slug)
    return render(
        request, "orders/workspace/packing_slip.html", ws.context(order=_order(ws, number))
    )


_ACTIONS = {
    "process": lambda order, user, post: order_process(order=order, actor=user),
    "ship": lambda order, user, post: order_ship(
        order=order,
        actor=user,
        carrier=post.get("carrier", ""),
        tracking_number=post.get("tracking_number", ""),
    ),
    "deliver": lambda order, user, post: order_deliver(
        order=order, actor=user, cod_collected=post.get("cod_collected") == "on"
    ),
    "complete": lambda order, user, post: order_complete(order=order, actor=user),
    "cancel": lambda order, user, post: order_cancel(
        order=order, actor=user, reason=post.get("reason", "")
    ),
}


@login_required
@require_POST
def order_action(request, slug, number, action):
    ws = Workspace(request, slug)
    order = _order(ws, number)
    if action not in _ACTIONS:
        raise Http404
    try:
        _ACTIONS[action](order, request.user, request.POST)
    except CheckoutError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, order_updated_message(order))
    return HttpResponseRedirect(
        reverse("orders_workspace:order_detail", args=[ws.business.slug, order.number])
    )


def order_updated_message(order) -> str:
    return _("Order %(number)s updated.") % {"number": order.number}

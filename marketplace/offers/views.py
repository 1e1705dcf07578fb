"""Seller workspace pages for offers, stock and product content, under /seller/<slug>/.

Every view resolves the business through the signed-in user's memberships (a slug the user has
no membership of is a 404, the same as one that does not exist) and every object in the URL
(offer, product, variant, photo, authorisation) is looked up inside that business. Views parse
input, call one service, and render; the services check the role again, so a view that forgot
would still change nothing.

Roles: owners and managers do everything here; staff see every page and set stock, but cannot
change prices, publish, pause or delete offers, open locations, edit product content or photos,
or grant resale (the services answer ``permission_denied`` and the view a 403).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Prefetch
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from catalog.content import (
    product_content_update,
    product_photo_add,
    product_photo_remove,
    product_photo_reorder,
    product_variant_add,
    product_variant_remove,
    product_variant_update,
)
from catalog.models import Product, ProductPhoto, ProductVariant
from core.uploads import UploadRejected
from marketplace.offers.forms import (
    OfferCreateForm,
    OfferEditForm,
    OfferFilterForm,
    PhotoMoveForm,
    PhotoUploadForm,
    ProductContentForm,
    ResaleGrantForm,
    StockGridForm,
    StockLocationForm,
    VariantForm,
)
from marketplace.offers.models import Offer, OfferStatus, ResaleAuthorization
from marketplace.offers.selectors import (
    LOW_STOCK_THRESHOLD,
    certificate_warnings,
    offer_hidden_reasons,
    offers_for_workspace,
    resale_authorizations_received,
    resale_candidates,
    resellable_variants,
    stock_grid,
)
from marketplace.offers.services import (
    offer_create,
    offer_delete,
    offer_pause,
    offer_publish,
    offer_update,
    resale_grant,
    resale_revoke,
    stock_location_create,
    stock_set_many,
)
from sellers.errors import SellerError
from sellers.selectors import ROLES_MANAGE, businesses_for_user, membership_get


class Workspace:
    """The business a request is about, resolved through the user's membership, and the role."""

    def __init__(self, request, slug: str):
        self.business = get_object_or_404(
            businesses_for_user(user=request.user).select_related("province"), slug=slug
        )
        membership = membership_get(user=request.user, business=self.business)
        if membership is None:  # removed between the two queries
            raise Http404
        self.role = membership.role
        self.role_label = membership.get_role_display()
        self.can_manage = self.role in ROLES_MANAGE

    def context(self, **extra) -> dict:
        return {
            "business": self.business,
            "role": self.role,
            "role_label": self.role_label,
            "can_manage": self.can_manage,
            **extra,
        }


def _denied(request, workspace: Workspace, error: SellerError):
    return render(
        request,
        "workspace/offers/denied.html",
        workspace.context(message=error.message),
        status=403,
    )


def _redirect(name: str, *args):
    return HttpResponseRedirect(reverse(f"offers:{name}", args=args))


def _with_reasons(offers):
    rows = list(offers)
    for offer in rows:
        offer.hidden_reasons = [] if offer.is_visible else offer_hidden_reasons(offer=offer)
    return rows


# --- dashboard ---------------------------------------------------------------------------------


@login_required
def dashboard(request, slug):
    ws = Workspace(request, slug)
    today = timezone.localdate()
    offers = _with_reasons(offers_for_workspace(business=ws.business, today=today))
    return render(
        request,
        "workspace/offers/dashboard.html",
        ws.context(
            published_count=sum(1 for o in offers if o.status == OfferStatus.PUBLISHED),
            visible_count=sum(1 for o in offers if o.is_visible),
            hidden_offers=[o for o in offers if not o.is_visible],
            # The same rows as offers_low_stock(), without a second pair of queries.
            low_stock=[
                o
                for o in offers
                if o.status == OfferStatus.PUBLISHED and o.stock_total <= LOW_STOCK_THRESHOLD
            ],
            low_stock_threshold=LOW_STOCK_THRESHOLD,
            warnings=certificate_warnings(business=ws.business, today=today),
        ),
    )


# --- offers ------------------------------------------------------------------------------------


@login_required
def offer_list(request, slug):
    ws = Workspace(request, slug)
    filters = OfferFilterForm(request.GET or None)
    status = filters.cleaned_data["status"] if filters.is_valid() else ""
    offers = _with_reasons(offers_for_workspace(business=ws.business, status=status))
    return render(
        request,
        "workspace/offers/offer_list.html",
        ws.context(offers=offers, filters=filters, status=status),
    )


@login_required
def offer_create_view(request, slug):
    ws = Workspace(request, slug)
    form = OfferCreateForm(request.POST or None, variants=resellable_variants(business=ws.business))
    if request.method == "POST" and form.is_valid():
        try:
            offer = offer_create(
                actor=request.user,
                seller=ws.business,
                variant=form.cleaned_data["variant"],
                price=form.cleaned_data["price"],
                compare_at_price=form.cleaned_data["compare_at_price"],
            )
        except SellerError as error:
            if error.code == "permission_denied" and error.field is None:
                return _denied(request, ws, error)
            form.add_service_error(error)
        else:
            messages.success(request, _("Offer created as a draft. Publish it when ready."))
            return _redirect("offer_edit", ws.business.slug, offer.pk)
    return render(request, "workspace/offers/offer_form.html", ws.context(form=form, offer=None))


def _own_offer(ws: Workspace, pk: int) -> Offer:
    return get_object_or_404(
        Offer.objects.filter(seller=ws.business).select_related("variant__product", "seller"),
        pk=pk,
    )


@login_required
def offer_edit(request, slug, pk):
    ws = Workspace(request, slug)
    offer = _own_offer(ws, pk)
    initial = {"price": offer.price, "compare_at_price": offer.compare_at_price}
    form = OfferEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        compare_at = form.cleaned_data["compare_at_price"]
        try:
            offer_update(
                actor=request.user,
                offer=offer,
                price=form.cleaned_data["price"],
                compare_at_price=compare_at,
                clear_compare_at=compare_at is None,
            )
        except SellerError as error:
            if error.code == "permission_denied":
                return _denied(request, ws, error)
            form.add_service_error(error)
        else:
            messages.success(request, _("Prices saved."))
            return _redirect("offer_list", ws.business.slug)
    return render(
        request,
        "workspace/offers/offer_form.html",
        ws.context(form=form, offer=offer, reasons=offer_hidden_reasons(offer=offer)),
    )


def _offer_action(request, slug, pk, service, done_message):
    ws = Workspace(request, slug)
    offer = _own_offer(ws, pk)
    try:
        service(actor=request.user, offer=offer)
    except SellerError as error:
        if error.code == "permission_denied":
            return _denied(request, ws, error)
        messages.error(request, error.message)
    else:
        messages.success(request, done_message)
    return _redirect("offer_list", ws.business.slug)


@login_required
@require_POST
def offer_publish_view(request, slug, pk):
    return _offer_action(request, slug, pk, offer_publish, _("Offer published."))


@login_required
@require_POST
def offer_pause_view(request, slug, pk):
    return _offer_action(request, slug, pk, offer_pause, _("Offer paused."))


@login_required
@require_POST
def offer_delete_view(request, slug, pk):
    return _offer_action(request, slug, pk, offer_delete, _("Offer deleted."))


# --- stock -------------------------------------------------------------------------------------


@login_required
def stock(request, slug):
    ws = Workspace(request, slug)
    offers, locations, cells = stock_grid(business=ws.business)
    form = StockGridForm(request.POST or None, offers=offers, locations=locations, cells=cells)
    if request.method == "POST" and form.is_valid():
        try:
            changed = stock_set_many(
                actor=request.user, business=ws.business, entries=form.entries()
            )
        except SellerError as error:
            if error.code == "permission_denied" and error.field is None:
                return _denied(request, ws, error)
            if error.code == "stale":
                # Re-show the grid as it is now, so the seller edits the current figures.
                offers, locations, cells = stock_grid(business=ws.business)
                form = StockGridForm(offers=offers, locations=locations, cells=cells)
                messages.error(request, error.message)
            else:
                form.add_service_error(error)
        else:
            messages.success(request, _("Stock saved (%(count)s changed).") % {"count": changed})
            return _redirect("stock", ws.business.slug)
    return render(
        request,
        "workspace/offers/stock.html",
        ws.context(form=form, locations=locations, location_form=StockLocationForm()),
    )


@login_required
def stock_location_create_view(request, slug):
    ws = Workspace(request, slug)
    form = StockLocationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            stock_location_create(actor=request.user, business=ws.business, **form.cleaned_data)
        except SellerError as error:
            if error.code == "permission_denied":
                return _denied(request, ws, error)
            form.add_service_error(error)
        else:
            messages.success(request, _("Location added."))
            return _redirect("stock", ws.business.slug)
    return render(request, "workspace/offers/location_form.html", ws.context(form=form))


# --- products: content, variants, photos, resale ---------------------------------------------


@login_required
def product_list(request, slug):
    ws = Workspace(request, slug)
    products = (
        Product.objects.filter(holder=ws.business)
        .annotate(variant_count=Count("variants", distinct=True))
        .prefetch_related(
            Prefetch("photos", queryset=ProductPhoto.objects.order_by("position", "id")),
            Prefetch(
                "resale_authorizations",
                queryset=ResaleAuthorization.objects.filter(revoked_at__isnull=True)
                .select_related("reseller")
                .order_by("reseller__name"),
                to_attr="live_authorizations",
            ),
        )
        .order_by("name", "id")
    )
    return render(
        request,
        "workspace/offers/product_list.html",
        ws.context(
            products=products,
            received=resale_authorizations_received(business=ws.business).order_by("product__name"),
        ),
    )


def _held_product(ws: Workspace, product_slug: str) -> Product:
    # Only products the business holds: a reseller's page never reaches the editor.
    return get_object_or_404(Product.objects.filter(holder=ws.business), slug=product_slug)


def _product_page(request, ws, product, *, status=200, **given):
    context = ws.context(
        product=product,
        variants=list(
            product.variants.annotate(offer_count=Count("offers")).order_by("position", "id")
        ),
        photos=list(product.photos.order_by("position", "id")),
        authorizations=list(
            product.resale_authorizations.filter(revoked_at__isnull=True)
            .select_related("reseller")
            .order_by("reseller__name")
        ),
        content_form=given.get("content_form")
        or ProductContentForm(initial={"description": product.description, "story": product.story}),
        variant_form=given.get("variant_form") or VariantForm(),
        photo_form=given.get("photo_form") or PhotoUploadForm(),
        grant_form=given.get("grant_form") or ResaleGrantForm(),
        candidates=given.get("candidates", []),
    )
    return render(request, "workspace/offers/product_edit.html", context, status=status)


@login_required
def product_edit(request, slug, product_slug):
    ws = Workspace(request, slug)
    product = _held_product(ws, product_slug)
    if request.method != "POST":
        return _product_page(request, ws, product)
    form = ProductContentForm(request.POST)
    if form.is_valid():
        try:
            product_content_update(
                actor=request.user,
                product=product,
                description=form.cleaned_data["description"],
                story=form.cleaned_data["story"],
            )
        except SellerError as error:
            if error.code == "permission_denied":
                return _denied(request, ws, error)
            form.add_service_error(error)
        else:
            messages.success(request, _("Description and story saved."))
            return _redirect("product_edit", ws.business.slug, product.slug)
    return _product_page(request, ws, product, content_form=form, status=400)


@login_required
@require_POST
def variant_add(request, slug, product_slug):
    ws = Workspace(request, slug)
    product = _held_product(ws, product_slug)
    form = VariantForm(request.POST)
    if form.is_valid():
        try:
            product_variant_add(actor=request.user, product=product, **form.cleaned_data)
        except SellerError as error:
            if error.code == "permission_denied":
                return _denied(request, ws, error)
            form.add_service_error(error)
        else:
            messages.success(request, _("Pack added."))
            return _redirect("product_edit", ws.business.slug, product.slug)
    return _product_page(request, ws, product, variant_form=form, status=400)


def _own_variant(product: Product, pk: int) -> ProductVariant:
    return get_object_or_404(ProductVariant.objects.filter(product=product), pk=pk)


@login_required
def variant_edit(request, slug, product_slug, pk):
    ws = Workspace(request, slug)
    product = _held_product(ws, product_slug)
    variant = _own_variant(product, pk)
    initial = {
        "name": variant.name,
        "net_quantity": "" if variant.net_quantity is None else variant.net_quantity.normalize(),
        "unit": variant.unit,
        "gtin": variant.gtin,
        "sku": variant.sku,
    }
    form = VariantForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            product_variant_update(actor=request.user, variant=variant, **form.cleaned_data)
        except SellerError as error:
            if error.code == "permission_denied":
                return _denied(request, ws, error)
            form.add_service_error(error)
        else:
            messages.success(request, _("Pack saved."))
            return _redirect("product_edit", ws.business.slug, product.slug)
    return render(
        request,
        "workspace/offers/variant_form.html",
        ws.context(product=product, variant=variant, form=form),
    )


@login_required
@require_POST
def variant_remove(request, slug, product_slug, pk):
    ws = Workspace(request, slug)
    product = _held_product(ws, product_slug)
    variant = _own_variant(product, pk)
    try:
        product_variant_remove(actor=request.user, variant=variant)
    except SellerError as error:
        if error.code == "permission_denied":
            return _denied(request, ws, error)
        messages.error(request, error.message)
    else:
        messages.success(request, _("Pack removed."))
    return _redirect("product_edit", ws.business.slug, product.slug)


@login_required
@require_POST
def photo_add(request, slug, product_slug):
    ws = Workspace(request, slug)
    product = _held_product(ws, product_slug)
    form = PhotoUploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            product_photo_add(
                actor=request.user,
                product=product,
                upload=form.cleaned_data["image"],
                alt_text=form.cleaned_data["alt_text"],
            )
        except (SellerError, UploadRejected) as error:
            if error.code == "permission_denied":
                return _denied(request, ws, error)
            form.add_service_error(error)
        else:
            messages.success(request, _("Photo added."))
            return _redirect("product_edit", ws.business.slug, product.slug)
    return _product_page(request, ws, product, photo_form=form, status=400)


@login_required
@require_POST
def photo_remove(request, slug, product_slug, pk):
    ws = Workspace(request, slug)
    product = _held_product(ws, product_slug)
    photo = get_object_or_404(ProductPhoto.objects.filter(product=product), pk=pk)
    try:
        product_photo_remove(actor=request.user, photo=photo)
    except SellerError as error:
        return _denied(request, ws, error)
    messages.success(request, _("Photo removed."))
    return _redirect("product_edit", ws.business.slug, product.slug)


@login_required
@require_POST
def photo_move(request, slug, product_slug):
    """Move one photo up or down (works without JavaScript); the first photo is the main one."""
    ws = Workspace(request, slug)
    product = _held_product(ws, product_slug)
    form = PhotoMoveForm(request.POST)
    ids = list(product.photos.order_by("position", "id").values_list("pk", flat=True))
    if not form.is_valid() or form.cleaned_data["photo"] not in ids:
        raise Http404
    index = ids.index(form.cleaned_data["photo"])
    target = index - 1 if form.cleaned_data["direction"] == "up" else index + 1
    if 0 <= target < len(ids):
        ids[index], ids[target] = ids[target], ids[index]
    try:
        product_photo_reorder(actor=request.user, product=product, photo_ids=ids)
    except SellerError as error:
        if error.code == "permission_denied":
            return _denied(request, ws, error)
        messages.error(request, error.message)
    return _redirect("product_edit", ws.business.slug, product.slug)


@login_required
@require_POST
def resale_grant_view(request, slug, product_slug):
    ws = Workspace(request, slug)
    product = _held_product(ws, product_slug)
    form = ResaleGrantForm(request.POST)
    candidates = []
    if form.is_valid():
        candidates = resale_candidates(query=form.cleaned_data["reseller"], holder=ws.business)
        chosen = request.POST.get("reseller_id", "")
        if chosen.isdigit():
            # A pick among the candidates the query found: the id is only trusted inside them.
            candidates = [b for b in candidates if b.pk == int(chosen)] or candidates
        if not candidates:
            form.add_error(
                "reseller", _("No active business matches; check the tax code or the name.")
            )
        elif len(candidates) > 1:
            form.add_error("reseller", _("Several businesses match; choose one below."))
        else:
            try:
                resale_grant(actor=request.user, product=product, reseller=candidates[0])
            except SellerError as error:
                if error.code == "permission_denied":
                    return _denied(request, ws, error)
                form.add_service_error(error)
            else:
                messages.success(
                    request,
                    _("%(reseller)s may now sell %(product)s.")
                    % {"reseller": candidates[0].name, "product": product.name},
                )
                return _redirect("product_edit", ws.business.slug, product.slug)
    return _product_page(request, ws, product, grant_form=form, candidates=candidates, status=400)


@login_required
@require_POST
def resale_revoke_view(request, slug, pk):
    ws = Workspace(request, slug)
    authorization = get_object_or_404(
        ResaleAuthorization.objects.filter(
            product__holder=ws.business, revoked_at__isnull=True
        ).select_related("product", "reseller"),
        pk=pk,
    )
    try:
        resale_revoke(actor=request.user, authorization=authorization)
    except SellerError as error:
        return _denied(request, ws, error)
    messages.success(
        request,
        _("%(reseller)s may no longer sell %(product)s; its offers are hidden.")
        % {"reseller": authorization.reseller.name, "product": authorization.product.name},
    )
    return _redirect("product_edit", ws.business.slug, authorization.product.slug)

from django.urls import reverse_lazy


def shop(request):
    """Where the pages of the apps below the storefront send a buyer to browse the products
    (they may not name the storefront's routes)."""
    return {"shop_url": reverse_lazy("storefront:product_list")}

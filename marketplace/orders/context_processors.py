CART_QUANTITY_KEY = "cart_quantity"


def cart(request):
    """The header's cart count, kept in the session by the cart views: no query on any page
    (the session is loaded anyway for sign-in)."""
    session = getattr(request, "session", None)
    return {"cart_quantity": session.get(CART_QUANTITY_KEY, 0) if session is not None else 0}

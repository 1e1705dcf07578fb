from core.errors import DomainError


class CheckoutError(DomainError):
    """A cart, checkout or order rule was broken; ``field`` may be ``line-<id>`` for a cart line."""

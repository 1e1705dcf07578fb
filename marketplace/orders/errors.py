class CheckoutError(Exception):
    """A cart, checkout or order rule was broken. ``field`` names the input at fault (a form
    field, or ``line-<id>`` for a cart line), ``code`` is stable for API clients."""

    def __init__(self, message, *, code: str, field: str | None = None):
        self.message = message
        self.code = code
        self.field = field
        super().__init__(str(message))

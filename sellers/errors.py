class SellerError(Exception):
    """A seller-side rule was broken. ``code`` is stable (GraphQL error codes map from it)."""

    def __init__(self, message, *, code: str, field: str | None = None):
        self.message = message
        self.code = code
        self.field = field
        super().__init__(str(message))


class PermissionDenied(SellerError):
    def __init__(self, message, *, field: str | None = None):
        super().__init__(message, code="permission_denied", field=field)

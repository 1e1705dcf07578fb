from core.errors import DomainError


class SellerError(DomainError):
    """A seller-side rule was broken."""


class PermissionDenied(SellerError):
    def __init__(self, message, *, field: str | None = None):
        super().__init__(message, code="permission_denied", field=field)

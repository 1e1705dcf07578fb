from core.errors import DomainError


class PlaceError(DomainError):
    """A point-of-sale rule was broken (bad coordinates, hours, a closure without reason)."""

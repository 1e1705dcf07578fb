from core.errors import DomainError


class TraceabilityError(DomainError):
    """A traceability rule was broken."""

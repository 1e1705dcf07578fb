from core.errors import DomainError


class FairError(DomainError):
    """A fair rule was broken (state, window, booth layout, application, assignment)."""

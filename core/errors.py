from __future__ import annotations


class DomainError(Exception):
    """A business rule was broken. ``message`` is for the user (translated), ``code`` is stable
    for API clients (GraphQL error codes map from it), ``field`` names the input at fault."""

    def __init__(self, message, *, code: str, field: str | None = None):
        self.message = message
        self.code = code
        self.field = field
        # Several refusals found at once (``DomainErrorCollector``): this one is the first.
        self.errors: list[DomainError] = [self]
        super().__init__(str(message))


class DomainErrorCollector:
    """Runs a service's checks one after another and keeps every refusal, so a form or an API
    call answers all its mistakes at once instead of one per round trip.

        errors = DomainErrorCollector()
        with errors.check():
            email = email_clean(email)
        with errors.check():
            phone = phone_normalise(phone)
        errors.raise_any()
    """

    def __init__(self) -> None:
        self.found: list[DomainError] = []

    def check(self) -> _Check:
        return _Check(self)

    def raise_any(self) -> None:
        if self.found:
            # The first refusal is raised, carrying the others: code that reads one error still
            # sees one, code that reads ``errors`` sees them all.
            first = self.found[0]
            first.errors = list(self.found)
            raise first


class _Check:
    def __init__(self, collector: DomainErrorCollector) -> None:
        self.collector = collector

    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type, exc, tb) -> bool:
        if isinstance(exc, DomainError):
            self.collector.found.extend(getattr(exc, "errors", None) or [exc])
            return True
        return False

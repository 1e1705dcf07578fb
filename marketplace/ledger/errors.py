from core.errors import DomainError


class LedgerError(DomainError):
    """A ledger rule was broken."""

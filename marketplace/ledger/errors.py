class LedgerError(Exception):
    """A ledger rule was broken. ``field`` names the input at fault, ``code`` is stable."""

    def __init__(self, message, *, code: str, field: str | None = None):
        self.message = message
        self.code = code
        self.field = field
        super().__init__(str(message))

class DomainError(Exception):
    """A business rule was broken. ``message`` is for the user (translated), ``code`` is stable
    for API clients (GraphQL error codes map from it), ``field`` names the input at fault."""

    def __init__(self, message, *, code: str, field: str | None = None):
        self.message = message
        self.code = code
        self.field = field
        super().__init__(str(message))

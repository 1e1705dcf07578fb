class TraceabilityError(Exception):
    """A traceability rule was broken. ``field`` names the input at fault, ``code`` is stable
    (GraphQL error codes map from it)."""

    def __init__(self, message, *, code: str, field: str | None = None):
        self.message = message
        self.code = code
        self.field = field
        super().__init__(str(message))

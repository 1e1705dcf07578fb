from tests.support.stripe_stub import stripe_stub  # noqa: F401

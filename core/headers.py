"""Security headers Django has no setting for: Permissions-Policy, with a per-view exception.

The Content-Security-Policy comes from django-csp (``CONTENT_SECURITY_POLICY`` in settings);
the ``Server`` banner is gunicorn's and is set in ``gunicorn.conf.py``.

Every page refuses the powerful browser features it never uses — above all geolocation, which
the scan page must not ask for unless the buyer chooses to share a place. A view that does ask
opts in with ``@permissions_policy_allow("geolocation")``, which allows it for this origin on
that view's pages only.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

# Features no page uses; each is denied to every origin unless a view allows it.
DENIED_FEATURES = (
    "accelerometer",
    "camera",
    "geolocation",
    "gyroscope",
    "magnetometer",
    "microphone",
    "usb",
)


def permissions_policy(allowed: frozenset[str] = frozenset()) -> str:
    """The header value: each denied feature ``=()``, those in ``allowed`` ``=(self)``."""
    return ", ".join(
        f"{feature}=(self)" if feature in allowed else f"{feature}=()"
        for feature in DENIED_FEATURES
    )


def permissions_policy_allow(*features: str) -> Callable:
    """Decorate a view whose pages use ``features`` (e.g. "geolocation") from this origin."""
    unknown = set(features) - set(DENIED_FEATURES)
    if unknown:
        raise ValueError(f"Unknown Permissions-Policy features: {sorted(unknown)}")

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            response = view(request, *args, **kwargs)
            response._permissions_allowed = frozenset(features)
            return response

        return wrapped

    return decorator


class PermissionsPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Permissions-Policy" not in response:
            response["Permissions-Policy"] = permissions_policy(
                getattr(response, "_permissions_allowed", frozenset())
            )
        return response

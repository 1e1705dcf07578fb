"""Failure counting in the cache (locmem in development, Redis when ``REDIS_URL`` is set).

Used to slow down password guessing on the sign-in page: each *failed* attempt counts against a
key (email + client IP, and the IP alone with a higher limit); once a key reaches its limit, every
attempt is refused until its window, which starts at the first failure, runs out. A fixed window
is enough here: the aim is to make guessing slow, not to meter precisely.

No library is used: django-ratelimit counts requests (not failures) and django-axes brings
models and middleware of its own; a few cache calls do the job.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache


def client_ip(request) -> str:
    """The client's address. Behind a reverse proxy set ``RATELIMIT_CLIENT_IP_META`` to the
    ``request.META`` key the proxy fills in (e.g. "HTTP_X_REAL_IP"); REMOTE_ADDR otherwise,
    because a header a client can send itself must never be trusted by default."""
    meta_key = getattr(settings, "RATELIMIT_CLIENT_IP_META", "") or "REMOTE_ADDR"
    value = request.META.get(meta_key) or request.META.get("REMOTE_ADDR") or ""
    # X-Forwarded-For style lists: the proxy appends the address it saw last.
    return value.split(",")[-1].strip()


@dataclass(frozen=True)
class FailureLimit:
    """At most ``limit`` failures per ``window`` seconds for one key."""

    name: str
    limit: int
    window: int

    def _key(self, *parts: str) -> str:
        # Hashed: emails and addresses stay out of cache keys (and memcached-unsafe characters).
        digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]
        return f"ratelimit:{self.name}:{digest}"

    def retry_after(self, *parts: str) -> int:
        """Seconds until the key may try again; 0 when it is not blocked."""
        key = self._key(*parts)
        state = cache.get_many([f"{key}:n", f"{key}:until"])
        count = state.get(f"{key}:n") or 0
        if count < self.limit:
            return 0
        until = state.get(f"{key}:until") or time.time() + self.window
        return max(1, math.ceil(until - time.time()))

    def fail(self, *parts: str) -> int:
        """Count one failure; returns the number of failures in the current window."""
        key = self._key(*parts)
        # add() only succeeds for the first failure of a window, so the window starts there and
        # later failures do not extend it; incr() keeps the expiry on locmem and Redis.
        if cache.add(f"{key}:n", 1, timeout=self.window):
            cache.set(f"{key}:until", time.time() + self.window, timeout=self.window)
            return 1
        try:
            return cache.incr(f"{key}:n")
        except ValueError:  # expired between add() and incr()
            cache.set(f"{key}:n", 1, timeout=self.window)
            cache.set(f"{key}:until", time.time() + self.window, timeout=self.window)
            return 1

    def reset(self, *parts: str) -> None:
        key = self._key(*parts)
        cache.delete_many([f"{key}:n", f"{key}:until"])


# Five wrong passwords for one email from one address per 15 minutes; a higher ceiling per
# address stops one client from walking through many emails.
LOGIN_PER_EMAIL_AND_IP = FailureLimit("login-email-ip", limit=5, window=15 * 60)
LOGIN_PER_IP = FailureLimit("login-ip", limit=50, window=15 * 60)
# Password-reset emails: each request sends mail to a real person, so a client may ask only a
# few times per hour.
PASSWORD_RESET_PER_IP = FailureLimit("password-reset-ip", limit=5, window=60 * 60)

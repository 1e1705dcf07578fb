"""Rate limiting: attempts counted in the cache (locmem in development, Redis when ``REDIS_URL``
is set), for every package that must slow a client down.

Each limit counts what its caller decides — *failed* sign-ins and PINs (``fail``), or every scan
and password-reset request (``spend``) — against a key (an email and the client address, a
stamp, the address alone); once a key reaches its limit, every attempt is refused until its
window, which starts at the first counted attempt, runs out. The limits themselves live with
their users (sign-in and password reset in ``sellers.views_account``, scans and PINs in
``traceability.services``). A fixed window
is enough here: the aim is to make guessing slow, not to meter precisely.

No library is used: django-ratelimit counts requests (not failures) and django-axes brings
models and middleware of its own; a few cache calls do the job.
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from core.degradation import cache_watch

# What a limit that fails closed answers while the cache is unreachable: "wait a minute".
OUTAGE_WAIT_SECONDS = 60


class OutageWait(int):
    """A wait imposed because the counters are unreachable, not because the client tried too
    often: callers that fail closed can say so (``isinstance(wait, OutageWait)``)."""


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
    # When the cache holding the counters is unreachable: "open" lets every attempt through
    # (nothing is counted), "closed" refuses them all for a minute. Each limit states its choice.
    on_outage: str = "closed"

    def _outage_wait(self) -> int:
        return 0 if self.on_outage == "open" else OutageWait(OUTAGE_WAIT_SECONDS)

    def _key(self, *parts: str) -> str:
        # Hashed: emails and addresses stay out of cache keys (and memcached-unsafe characters).
        digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]
        return f"ratelimit:{self.name}:{digest}"

    def retry_after(self, *parts: str) -> int:
        """Seconds until the key may try again; 0 when it is not blocked."""
        key = self._key(*parts)
        with cache_watch() as watch:
            state = cache.get_many([f"{key}:n", f"{key}:until"])
        if watch.failed:
            return self._outage_wait()
        count = state.get(f"{key}:n") or 0
        if count < self.limit:
            return 0
        until = state.get(f"{key}:until") or time.time() + self.window
        return max(1, math.ceil(until - time.time()))

    def window_left(self, *parts: str) -> int:
        """Seconds until the key's current window ends (its count starts again); 0 without one."""
        with cache_watch() as watch:
            until = cache.get(f"{self._key(*parts)}:until")
        if watch.failed:
            return self._outage_wait()
        return max(0, math.ceil(until - time.time())) if until else 0

    def fail(self, *parts: str) -> int:
        """Count one failure; returns the number of failures in the current window."""
        return self._increment(self._key(*parts))

    def attempt(self, *parts: str) -> int:
        """Reserve one try *before* judging it; returns the count including this one, so the
        try is allowed when the result is at most ``limit``. The increment is atomic (Redis
        INCR; locmem under its lock), so of many concurrent tries exactly ``limit`` get
        through — a check followed by ``fail()`` lets every racer pass the check. A try that
        turns out right is handed back with ``forgive()``."""
        return self._increment(self._key(*parts))

    def forgive(self, *parts: str) -> None:
        """Hand back a try reserved with ``attempt()`` that was not a failure."""
        # ValueError: the window ran out meanwhile, nothing to hand back.
        with contextlib.suppress(ValueError):
            cache.decr(f"{self._key(*parts)}:n")

    def _increment(self, key: str) -> int:
        with cache_watch() as watch:
            count = self._increment_counted(key)
        if watch.failed:
            # Open: the attempt is allowed (counted as the first); closed: over the limit.
            return 1 if self.on_outage == "open" else self.limit + 1
        return count

    def _increment_counted(self, key: str) -> int:
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

    def spend(self, *parts: str) -> int:
        """Count one attempt unless the key is blocked: 0 when it may go ahead, else the seconds
        to wait (and nothing is counted)."""
        wait = self.retry_after(*parts)
        if not wait:
            self.fail(*parts)
        return wait

    def reset(self, *parts: str) -> None:
        key = self._key(*parts)
        cache.delete_many([f"{key}:n", f"{key}:until"])

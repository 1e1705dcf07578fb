"""Cache outages degrade, they do not fail.

Everything the cache holds here can be rebuilt or done without: catalogue answers and pages
(``core.catalogue_cache``, ``core.page_cache``), rate-limit counters (``core.ratelimit``). So
``DegradingRedisCache`` — Django's Redis backend with every operation guarded — answers a read
as a miss and drops a write when Redis is unreachable, logs it (at most once a minute per
process, so an outage does not flood the log) and counts it (``cache_failures()``, for the health
page and tests). Sessions do not live in the cache (database sessions, Django's default).

A caller that must *decide* what an outage means — a rate limit failing open or closed — wraps
its calls in ``cache_watch()`` and reads ``watch.failed``.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import threading
import time

from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger("core.degradation")

_LOG_EVERY_SECONDS = 60
_state = threading.local()
_lock = threading.Lock()
_counts = {"failures": 0, "last_logged": 0.0}


def cache_failures() -> int:
    """Cache operations that failed in this process since it started."""
    return _counts["failures"]


def _record(operation: str, error: Exception) -> None:
    with _lock:
        _counts["failures"] += 1
        now = time.monotonic()
        log = now - _counts["last_logged"] >= _LOG_EVERY_SECONDS
        if log:
            _counts["last_logged"] = now
    for watch in getattr(_state, "watches", ()):
        watch.failed = True
    if log:
        logger.warning(
            "Cache unavailable (%s: %s); serving without it. %d failures so far.",
            operation,
            error,
            _counts["failures"],
        )


class CacheWatch:
    failed = False


@contextlib.contextmanager
def cache_watch():
    """``with cache_watch() as watch:`` — afterwards ``watch.failed`` says whether any cache
    operation in the block met an outage (and was answered as a miss / dropped)."""
    watch = CacheWatch()
    watches = getattr(_state, "watches", None)
    if watches is None:
        watches = _state.watches = []
    watches.append(watch)
    try:
        yield watch
    finally:
        watches.remove(watch)


def _guarded(name: str, fallback):
    def decorate(method):
        @functools.wraps(method)
        def wrapper(self, *args, **kwargs):
            try:
                return method(self, *args, **kwargs)
            except self._outage_errors as error:
                _record(name, error)
                return fallback(*args, **kwargs)

        return wrapper

    return decorate


def _default(_key, default=None, *_args, **_kwargs):
    return default


class DegradingRedisCache(RedisCache):
    """``django.core.cache.backends.redis.RedisCache`` that treats an unreachable server as an
    empty cache. ``incr``/``decr`` raise ``ValueError`` (Django's "no such key"), so callers that
    already handle a missing key handle an outage too."""

    def __init__(self, server, params):
        super().__init__(server, params)
        import redis

        self._outage_errors = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)

    def _missing(self, *args, **kwargs):
        raise ValueError("cache unavailable")

    get = _guarded("get", _default)(RedisCache.get)
    set = _guarded("set", lambda *a, **k: None)(RedisCache.set)
    add = _guarded("add", lambda *a, **k: False)(RedisCache.add)
    touch = _guarded("touch", lambda *a, **k: False)(RedisCache.touch)
    delete = _guarded("delete", lambda *a, **k: False)(RedisCache.delete)
    get_many = _guarded("get_many", lambda *a, **k: {})(RedisCache.get_many)
    set_many = _guarded("set_many", lambda *a, **k: [])(RedisCache.set_many)
    delete_many = _guarded("delete_many", lambda *a, **k: None)(RedisCache.delete_many)
    has_key = _guarded("has_key", lambda *a, **k: False)(RedisCache.has_key)
    clear = _guarded("clear", lambda *a, **k: False)(RedisCache.clear)
    get_or_set = _guarded("get_or_set", lambda *a, **k: None)(RedisCache.get_or_set)

    def incr(self, key, delta=1, version=None):
        try:
            return super().incr(key, delta, version)
        except self._outage_errors as error:
            _record("incr", error)
            raise ValueError("cache unavailable") from error

    def decr(self, key, delta=1, version=None):
        try:
            return super().decr(key, delta, version)
        except self._outage_errors as error:
            _record("decr", error)
            raise ValueError("cache unavailable") from error

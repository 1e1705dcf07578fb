"""A fresh chunk of CPython 3.11's frame stack for deep, repetitive recursions.

CPython 3.11 keeps Python frames in 16 KiB chunks per thread. A call that does not fit in the
current chunk maps a new one; returning from the call that opened a chunk unmaps it. A
recursion that goes up and down across a chunk boundary therefore maps and unmaps memory on
every crossing (CPython gh-142183, fixed in 3.13 by keeping one spare chunk). Executing a
GraphQL query is such a recursion: thousands of fields resolved a few frames deep, so where the
boundary falls — which depends on every frame above, from gunicorn to each middleware — swings
a ``products(first: 100)`` query between 70 and 110 ms on the same code.

``fresh_stack_call`` calls through a function whose frame alone is larger than a chunk, so the
call lands at the start of a chunk of its own: the work below it starts at the same place every
time, with the whole 16 KiB for its recursion. It costs two map/unmap pairs per call.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

# 4,096 locals of 8 bytes: 32 KiB, twice a 16 KiB chunk.
_PADDING_LOCALS = 4096


def _build_padded_call() -> Callable:
    names = " = ".join(f"_pad{i}" for i in range(_PADDING_LOCALS))
    # The assignment never runs; it only makes the compiler reserve the locals in the frame.
    source = (
        "def padded_call(func, args, kwargs):\n"
        f"    if False:\n        {names} = None\n"
        "    return func(*args, **kwargs)\n"
    )
    namespace: dict = {}
    exec(compile(source, "<core.stack>", "exec"), namespace)
    return namespace["padded_call"]


_padded_call = _build_padded_call() if sys.version_info[:2] < (3, 13) else None


def fresh_stack_call(func: Callable[..., T], *args, **kwargs) -> T:
    """``func(*args, **kwargs)``, started at the beginning of a fresh frame-stack chunk on
    CPython 3.11 and 3.12; a plain call on later versions, which no longer thrash."""
    if _padded_call is None:
        return func(*args, **kwargs)
    return _padded_call(func, args, kwargs)

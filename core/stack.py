"""A fresh chunk of CPython's frame stack for deep, repetitive recursions.

CPython 3.11 to 3.13 keep Python frames in 16 KiB chunks per thread. A call that does not fit in
the current chunk maps a new one; returning from the call that opened a chunk unmaps it, with no
spare kept. A recursion that goes up and down across a chunk boundary therefore maps and unmaps
memory on every crossing. Executing a GraphQL query is such a recursion: thousands of fields
resolved a few frames deep, so where the boundary falls — which depends on every frame above,
from gunicorn to each middleware — swings a ``products(first: 100)`` query between 70 and 110 ms
on the same code.

``fresh_stack_call`` calls through a function whose frame alone is larger than a chunk, so the
call lands at the start of a chunk of its own: the work below it starts at the same place every
time, with the whole chunk for its recursion. It costs two map/unmap pairs per call.

Measured on 3.11.7, 3.12.1 and 3.13.0 (``benchmarks/stack.py``; figures in
``benchmarks/README.md``): all three map a chunk per crossing, and on all three the padding
removes the slow positions, so it applies on every supported version. Measure again before
adding a version to ``requires-python``: an interpreter that keeps a spare chunk does not need it.
"""

from __future__ import annotations

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


_padded_call = _build_padded_call()


def fresh_stack_call(func: Callable[..., T], *args, **kwargs) -> T:
    """``func(*args, **kwargs)``, started at the beginning of a fresh frame-stack chunk."""
    return _padded_call(func, args, kwargs)

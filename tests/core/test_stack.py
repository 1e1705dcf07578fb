"""core.stack: calls that start on a fresh frame-stack chunk behave like plain calls."""

import pytest

from core import stack
from core.stack import fresh_stack_call


def test_arguments_results_and_errors_pass_through():
    assert fresh_stack_call(divmod, 17, 5) == (3, 2)
    assert fresh_stack_call(sorted, [3, 1, 2], reverse=True) == [3, 2, 1]
    with pytest.raises(ZeroDivisionError):
        fresh_stack_call(divmod, 1, 0)


def test_deep_recursion_below_it_still_works():
    def depth(n):
        return 0 if n == 0 else 1 + depth(n - 1)

    assert fresh_stack_call(depth, 500) == 500


def test_the_padding_frame_is_larger_than_a_chunk():
    # A 16 KiB chunk holds 2,048 eight-byte slots; the padding frame alone needs more, so it
    # always opens a chunk of its own and the call below it starts on the next one.
    assert stack._padded_call.__code__.co_nlocals * 8 > 2 * 16 * 1024

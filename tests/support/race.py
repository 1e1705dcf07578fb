"""Racing calls on PostgreSQL: each on its own thread (so its own database connection), all
released at the same instant by a barrier."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

from django.db import connections


def race(calls: Sequence[Callable[[], object]], *, expected: type[Exception] | tuple = ()) -> list:
    """Run ``calls`` at once; each one's result, or the ``expected`` error it raised, in the
    order of ``calls``. Any other error fails the test (it is raised here)."""
    barrier = threading.Barrier(len(calls))
    outcomes: list = [None] * len(calls)
    unexpected: list[BaseException] = []

    def run(index: int, call: Callable[[], object]) -> None:
        try:
            barrier.wait()
            outcomes[index] = call()
        except expected as exc:
            outcomes[index] = exc
        except BaseException as exc:
            unexpected.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    if unexpected:
        raise unexpected[0]
    return outcomes

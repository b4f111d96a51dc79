"""The cyclic garbage collector paused while a batch builds many plain, acyclic containers.

Consolidating 10,000 agencies builds some hundred thousand dicts and lists that all stay alive
until the document is made; each time their count passes the collector's thresholds it scans
every object of the process again (a quarter to a third of the consolidation's CPU, measured
with ``gc.callbacks``). Nothing built there forms a reference cycle, so the scans find nothing;
reference counting frees everything as usual. The pause is counted across threads: the
collector runs again when the last pause ends (and only if it was on when the first began).
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
_was_enabled = False


@contextmanager
def paused() -> Iterator[None]:
    """Run the block with the cyclic collector off (see the module doc)."""
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()

"""Garbage-collector settings for a Warden process (`warden serve <service>`, `warden up`, `python -m ...`).

The logger allocates several short-lived containers per event (decoded JSON, parsed rows, documents) while it
holds whole fetched batches; with CPython's defaults a young-generation collection runs every 700 allocations
and the older ones walk everything the imports left behind. That was a third of the logger's CPU in
`bench/request_logger/profile_core.py`. A young collection walks every young container still alive, which in
the logger is mostly the fetched batches in flight (~100,000 containers), so its cost is set by that working
set, not by the threshold: at 100,000 net allocations per collection the logger still ran one every ~4,300
predictions at ~32 ms each, 13% of its CPU (`bench/request_logger/cpu_profile.py`, issue 18); at 1,000,000
none in 60,000 predictions, with the same peak memory. Almost nothing the logger makes is cyclic (reference
counting frees it), so collecting less often costs little memory: cyclic garbage waits for the next
collection, after a million net container allocations. The other services allocate the same way (decoded
events and payloads, short-lived per request), so every Warden entry point applies the same settings.
"""

from __future__ import annotations

import gc

YOUNG_THRESHOLD = 1_000_000
"""Container allocations (net) between young-generation collections (CPython's default: 700)."""


def tune_gc() -> None:
    """Call once the process has imported what it runs: what exists then is never collected again (`gc.freeze`),
    and young collections run less often. Process-wide, so only entry points that own the process call it."""
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)

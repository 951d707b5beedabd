"""Garbage-collector settings for a Warden process (`warden serve <service>`, `warden up`, `python -m ...`).

The logger allocates several short-lived containers per event (decoded JSON, parsed rows, documents) while it
holds whole fetched batches; with CPython's defaults a young-generation collection runs every 700 allocations
and the older ones walk everything the imports left behind. That was a third of the logger's CPU in
`bench/request_logger/profile_core.py`, and at 10,000 allocations per young collection still a tenth of the
logger process's samples in the end-to-end benchmark. Almost nothing the logger makes is cyclic (reference
counting frees it), so collecting less often costs little memory: cyclic garbage waits for the next collection,
which still comes every couple of thousand events. The other services allocate the same way (decoded
events and payloads, short-lived per request), so every Warden entry point applies the same settings.
"""

from __future__ import annotations

import gc

YOUNG_THRESHOLD = 100_000
"""Container allocations (net) between young-generation collections (CPython's default: 700)."""


def tune_gc() -> None:
    """Call once the process has imported what it runs: what exists then is never collected again (`gc.freeze`),
    and young collections run less often. Process-wide, so only entry points that own the process call it."""
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)

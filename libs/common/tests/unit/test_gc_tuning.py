"""A Warden process collects garbage less often (no I/O)."""

from __future__ import annotations

import gc

from warden_common.gc_tuning import YOUNG_THRESHOLD, tune_gc


def test_a_warden_process_collects_garbage_less_often() -> None:
    before = gc.get_threshold()
    try:
        tune_gc()
        assert gc.get_threshold() == (YOUNG_THRESHOLD, before[1], before[2])
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)

"""Request metrics per deployment endpoint: the latency buckets the data plane observes, rollups of them in
10-second windows (the standalone store), and the query both modes answer (`GET {base}/monitor/requests`)."""

from warden_common.requestmetrics.rollup import LATENCY_BUCKETS, RollupKey, Rollups, WindowRow

__all__ = ["LATENCY_BUCKETS", "RollupKey", "Rollups", "WindowRow"]

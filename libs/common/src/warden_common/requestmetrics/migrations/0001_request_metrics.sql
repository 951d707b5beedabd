-- Per-endpoint request counts and latency histograms in 10-second windows, written by the data plane (standalone,
-- where no Prometheus scrapes it) and read by the gateway's request monitoring queries.
CREATE TABLE IF NOT EXISTS request_metrics (
    window_start timestamptz      NOT NULL,
    namespace    text             NOT NULL,
    deployment   text             NOT NULL,
    predictor    text             NOT NULL,
    service      text             NOT NULL,
    code         smallint         NOT NULL,
    requests     bigint           NOT NULL,
    latency_sum  double precision NOT NULL,
    buckets      bigint[]         NOT NULL, -- requests per latency bucket (not cumulative), the last one is +Inf
    PRIMARY KEY (namespace, deployment, window_start, predictor, service, code)
);
CREATE INDEX IF NOT EXISTS request_metrics_window ON request_metrics (window_start);
